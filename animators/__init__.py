"""symbolreel.animators: keyframe tracks, easing and their batch evaluation (Numba)."""
from .tracks import EXTRAPOLATIONS, Ease, Key, Track, Wiggle
from .easing import EASE_NAMES, ease_spec_to_yaml, ease_value, parse_ease
from .noise import noise_key
from .sampling import PackedTracks, pack_tracks, sample_tracks
from .transforms import N_PARAMS, PARAMS, compose_world, compose_world_reference, local_matrices
from .dsl import after, keys, shift, stagger
from .warm import warm_up

__all__ = [
    "EXTRAPOLATIONS", "Ease", "Key", "Track", "Wiggle",
    "EASE_NAMES", "ease_spec_to_yaml", "ease_value", "parse_ease", "noise_key",
    "PackedTracks", "pack_tracks", "sample_tracks",
    "N_PARAMS", "PARAMS", "compose_world", "compose_world_reference", "local_matrices",
    "after", "keys", "shift", "stagger", "warm_up",
]
