"""symbolreel.animators: keyframe tracks, easing and their batch evaluation."""
from .tracks import EXTRAPOLATIONS, Ease, Key, Track, Wiggle
from .sampling import PackedTracks, pack_tracks, sample_tracks

__all__ = ["EXTRAPOLATIONS", "Ease", "Key", "Track", "Wiggle", "PackedTracks", "pack_tracks", "sample_tracks"]
