"""Roads and lane markings: the road node (node.py), camera and projection kernels (camera.py,
projective.py), centreline (centreline.py), markings, arrows and signs (markings.py, arrows.py,
signs.py), per-frame drawing (frame.py), 3D geometry (geometry.py) and lane labels (labels.py)."""
from .node import Boundary, Road, RoadCamera, RoadMarking, RoadSegment, RoadSign

__all__ = ["Boundary", "Road", "RoadCamera", "RoadMarking", "RoadSegment", "RoadSign"]
