"""The ``figure`` node: geometry figures and exact constructions in their own world coordinates.

A figure has named ``points`` (literals or keyframe tracks) and a list of ``items``; each item is a
small mapping with one kind key whose value names its arguments in textbook notation
(``{segment: AB}``, ``{angle: BAC}``, ``{incircle: ABC, name: c}``, ``{intersection: AB CD, name: P}``).
Construction items define new points, lines and circles (see :mod:`.construction`); drawing items
draw them.  Per frame the construction is evaluated in floats (no SymPy), labels are placed by a
deterministic search (:mod:`.labels`), and the annotation carries every point, circle, the facts
the construction asserts (checked at that frame), measured lengths and angles, and, once per scene,
exact coordinates and an exact check of every fact (SymPy).  See docs/geometry.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symbolreel.animators import keys
from symbolreel.animators.tracks import Key, Track
from symbolreel.errors import SceneError
from symbolreel.fields import Spec, coerce, export_value, field, normalise, specs

from . import construction as C
from symbolreel.node import Shape, Stroke, register
from .axes import Axes
from .draw import annotate_figure, emit_figure

_VEC = Spec("vec2", anim=True)
SCENE_CLOCK = Track(keys=(Key(0.0, (0.0,)),), speed=(1.0,))


@dataclass(frozen=True, kw_only=True)
class FigureItem:
    """One figure item: exactly one kind key (segment, angle, incircle, ...) naming its arguments, plus options."""

    ONE_KIND_OF = C.KINDS  # the JSON Schema states the rule as a tagged union

    # drawing kinds
    point: str | None = field(None, "string", "draw points: 'A', 'A B C' (marker and label; sets their style)",
                              nullable=True)
    segment: str | None = field(None, "string", "segment between two points: 'AB'", nullable=True)
    ray: str | None = field(None, "string", "ray from the first point through the second, clipped to the view",
                            nullable=True)
    line: str | None = field(None, "string", "infinite line through two points (or a named line), clipped to "
                             "the view", nullable=True)
    vector: str | None = field(None, "string", "arrow from the first point to the second: 'AB'", nullable=True)
    arc: str | None = field(None, "string", "arc 'O A B': centre O, from A counterclockwise to the ray OB, "
                            "radius OA", nullable=True)
    sector: str | None = field(None, "string", "filled sector 'O A B' (as arc)", nullable=True)
    polygon: str | None = field(None, "string", "closed polygon through three or more points: 'ABC'",
                                nullable=True)
    angle: str | None = field(None, "string", "angle mark 'BAC' at the vertex A (the middle name), on the side "
                              "of the angle below 180 degrees; a right angle gets a square", nullable=True)
    right_angle: str | None = field(None, "string", "right-angle square mark 'BAC' at A", nullable=True)
    equal: str | None = field(None, "string", "equal-length tick marks on two or more segments: 'AB AC'",
                              nullable=True)
    parallel_marks: str | None = field(None, "string", "parallel arrow marks on two or more segments: 'AB CD'",
                                       nullable=True)
    # construction kinds (they also draw their result unless show: false)
    midpoint: str | None = field(None, "string", "point: midpoint of 'AB'", nullable=True)
    intersection: str | None = field(None, "string", "point: intersection of two lines/circles: 'AB CD', "
                                     "'AB c', 'c k' (see pick / avoid)", nullable=True)
    foot: str | None = field(None, "string", "point: foot of the perpendicular from P to a line: 'P AB'",
                             nullable=True)
    reflection: str | None = field(None, "string", "point: reflection of P in a line 'P AB' or a point 'P O'",
                                   nullable=True)
    rotation: str | None = field(None, "string", "point: P rotated about O by 'degrees' "
                                 "(counterclockwise): 'P O'", nullable=True)
    centroid: str | None = field(None, "string", "point: centroid of triangle 'ABC'", nullable=True)
    circumcentre: str | None = field(None, "string", "point: circumcentre of triangle 'ABC'", nullable=True)
    incentre: str | None = field(None, "string", "point: incentre of triangle 'ABC'", nullable=True)
    orthocentre: str | None = field(None, "string", "point: orthocentre of triangle 'ABC'", nullable=True)
    tangent: str | None = field(None, "string", "point: where a tangent from P touches circle c: 'P c' "
                                "(draws the tangent line; see pick)", nullable=True)
    on: str | None = field(None, "string", "point on a circle (at 'param' degrees) or on a line 'AB' (at "
                           "fraction 'param' from A to B)", nullable=True)
    circumcircle: str | None = field(None, "string", "circle through the vertices of 'ABC'", nullable=True)
    incircle: str | None = field(None, "string", "circle tangent to the sides of 'ABC'", nullable=True)
    circle: str | None = field(None, "string", "circle 'O A' (centre O through A), 'O' with radius, or a named "
                               "circle to draw", nullable=True)
    parallel: str | None = field(None, "string", "line: through P parallel to a line: 'P AB'", nullable=True)
    perpendicular: str | None = field(None, "string", "line: through P perpendicular to a line: 'P AB'",
                                      nullable=True)
    bisector: str | None = field(None, "string", "line: bisector of the angle 'ABC' at B (drawn as a ray)",
                                 nullable=True)
    perpendicular_bisector: str | None = field(None, "string", "line: perpendicular bisector of 'AB'",
                                               nullable=True)
    regular_polygon: str | None = field(None, "string", "regular polygon 'O A': centre O, first vertex A, "
                                        "'sides' vertices (named by 'names')", nullable=True)
    # options
    name: str | None = field(None, "string", "name of the point/line/circle the item defines", nullable=True)
    label: str | None = field(None, "string", "label text (points: defaults to the name; '' hides)",
                              nullable=True)
    value: bool = field(False, "bool", "write the measured value: degrees for angles, length for segments")
    decimals: int = field(0, "int", "decimals of a written value", min=0, max=6)
    color: tuple | None = field(None, "colour", "line colour (default: the figure's stroke colour)",
                                nullable=True)
    width: float | None = field(None, "number", "line width in pixels (default: the figure's)", nullable=True,
                                min=0.0)
    fill: tuple | None = field(None, "colour", "fill of polygons, circles, sectors and angle marks",
                               nullable=True)
    dash: tuple | None = field(None, "numbers", "dash pattern in pixels [on, off, ...]", nullable=True,
                               min=0.0, min_items=2)
    aux: bool = field(False, "bool", "auxiliary line style: thin, dashed, lighter")
    show: bool = field(True, "bool", "draw the item (false: only construct it)")
    pick: int = field(0, "int", "which of two roots (intersections with circles, tangents): 0 or 1, see "
                      "geometry.md", min=0, max=1)
    avoid: str | None = field(None, "string", "instead of pick: take the root farther from this point",
                              nullable=True)
    degrees: float = field(0.0, "number", "rotation angle of a 'rotation' item in degrees (counterclockwise)",
                           anim=True)
    param: float = field(0.0, "number", "'on' items: degrees around the circle, or fraction along the line",
                         anim=True)
    radius: float | None = field(None, "number", "circle radius in world units", nullable=True, min=0.0)
    size: float | None = field(None, "number", "mark size in pixels (angle arc radius, tick length, marker "
                               "radius)", nullable=True, min=0.0)
    sides: int = field(3, "int", "number of vertices of a regular polygon", min=3, max=64)
    names: str | None = field(None, "string", "names of a regular polygon's vertices: 'P1 P2 P3'",
                              nullable=True)
    centre: str | None = field(None, "string", "name for the centre of a circle item (defines that point)",
                               nullable=True)
    count: int = field(1, "int", "number of ticks / arcs / arrows in a mark", min=1, max=4)

    def __post_init__(self):
        normalise(self)
        kinds = [k for k in C.KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise SceneError(f"an item needs exactly one kind key (segment, polygon, angle, midpoint, "
                             f"incircle, ...); found {found}", (kinds[1],) if len(kinds) > 1 else ())

    @property
    def kind(self) -> str:
        return next(k for k in C.KINDS if getattr(self, k) is not None)


class _Op:
    __slots__ = ("kind", "item", "refs", "out", "it", "reveal", "path")

    def __init__(self, kind, item, refs, out, it, reveal, path):
        self.kind, self.item, self.refs, self.out, self.it = kind, item, refs, out, it
        self.reveal, self.path = reveal, path


class _Compiled:
    """Program (construction), drawing ops, point styles and facts of a figure."""

    def __init__(self):
        self.prog = C.Program()
        self.ops: list = []
        self.point_style: dict = {}   # name -> dict(visible, label, color, size, reveal)
        self.facts: list = []         # (relation, args, extra)
        self.neighbours: dict = {}    # point name -> set of point names joined by drawn lines
        self.tracks: list = []        # (key, Track): ('point', name) or ('param', (item, option))
        self.n_reveal = 0


def _compile(fig: "Figure") -> _Compiled:
    cp = _Compiled()
    prog = cp.prog
    for name, v in (fig.points or {}).items():
        prog.types[name] = "point"
        pv = coerce(_VEC, v, ("points", name))
        prog.free[name] = pv
        cp.point_style[name] = {"visible": fig.label_points, "label": name, "color": None, "size": None,
                                "reveal": None, "item": None}
        if isinstance(pv, Track):
            cp.tracks.append((("point", name), pv))

    def define(name, typ, path):
        if not C.NAME_RE.match(name):
            raise SceneError(f"invalid name {name!r}: use a letter followed by letters, digits, _ or '", path)
        if name in prog.types:
            raise SceneError(f"'{name}' is already defined (as a {prog.types[name]})", path)
        prog.types[name] = typ

    reveal = 0
    for i, it in enumerate(fig.items):
        kind = it.kind
        text = getattr(it, kind)
        path = ("items", i, kind)
        order = None
        if it.show:
            order = reveal
            reveal += 1
        if kind == "circle" and text.strip() in prog.types and prog.types[text.strip()] == "circle":
            if it.show:
                cp.ops.append(_Op("circle", i, [C.Ref("C", obj=text.strip())], text.strip(), it, order, path))
            continue
        if kind in C.CONSTRUCTIONS:
            sig, result = C.CONSTRUCTIONS[kind]
            refs = C.parse_args(sig, text, prog, path)
            extra = {"pick": it.pick}
            if it.avoid is not None:
                if prog.types.get(it.avoid) != "point":
                    raise SceneError(f"unknown point '{it.avoid}'; known points: {C._some(prog.point_names())}",
                                     ("items", i, "avoid"))
                extra["avoid"] = it.avoid
            if kind == "rotation":
                _param(cp, prog, i, "angle", it.degrees)
            if kind == "on":
                _param(cp, prog, i, "param", it.param)
            if kind == "circle" and len(refs) == 1:
                if it.radius is None:
                    raise SceneError("a circle with only a centre needs 'radius' (world units)", path)
                prog.params[(i, "radius")] = it.radius
            out = it.name
            if result == "point" and out is None:
                raise SceneError(f"{kind} defines a point: give it a 'name'", path)
            if out is None:
                out = f"{result}{i}"
                while out in prog.types:
                    out += "_"
            define(out, "polygon" if result == "polygon" else result, ("items", i, "name"))
            if it.centre is not None:
                if kind not in ("circumcircle", "incircle", "circle"):
                    raise SceneError("'centre' names the centre of a circle item", ("items", i, "centre"))
                define(it.centre, "point", ("items", i, "centre"))
                extra["centre"] = it.centre
                cp.point_style[it.centre] = {"visible": it.show, "label": it.centre, "color": it.color,
                                             "size": it.size, "reveal": order, "item": i}
            if kind == "regular_polygon":
                extra["sides"] = it.sides
                if it.names is not None:
                    vnames = it.names.replace(",", " ").split()
                    if len(vnames) != it.sides:
                        raise SceneError(f"'names' lists {len(vnames)} names for {it.sides} sides",
                                         ("items", i, "names"))
                    for vn in vnames:
                        define(vn, "point", ("items", i, "names"))
                        cp.point_style[vn] = {"visible": it.show and fig.label_points, "label": vn,
                                              "color": it.color, "size": it.size, "reveal": order, "item": i}
                    extra["names"] = tuple(vnames)
            st = C.Step(kind, i, refs, out, i, extra)
            prog.steps.append(st)
            cp.facts += [(rel, args, ex) for rel, args, ex in C.step_facts(st)]
            if result == "point":
                cp.point_style[out] = {"visible": it.show, "label": out if it.label is None else it.label,
                                       "color": it.color, "size": it.size, "reveal": order, "item": i}
            if it.show:
                cp.ops.append(_Op(kind, i, refs, out, it, order, path))
            continue
        refs = C.parse_args(C.DRAWINGS[kind], text, prog, path)
        if kind == "point":
            if len(refs) > 1 and it.label not in (None, ""):
                raise SceneError("'label' sets the text of one point; list one point per item", ("items", i, "label"))
            for r in refs:
                st = cp.point_style[r.names[0]]
                st.update(visible=it.show, color=it.color if it.color is not None else st["color"],
                          size=it.size if it.size is not None else st["size"], reveal=order, item=i)
                if it.label is not None:
                    st["label"] = it.label
            continue
        if kind == "equal":
            segs = [r.text for r in refs]
            cp.facts += [("equal_length", [segs[0], s], {}) for s in segs[1:]]
        elif kind == "parallel_marks":
            segs = [r.text for r in refs]
            cp.facts += [("parallel", [segs[0], s], {}) for s in segs[1:]]
        elif kind == "right_angle":
            a, b, c = (r.names[0] for r in refs)
            cp.facts.append(("perpendicular", [C.fmt_names([b, a]), C.fmt_names([b, c])], {}))
        if it.show:
            cp.ops.append(_Op(kind, i, refs, None, it, order, path))
    cp.n_reveal = reveal
    # point reveal: when the first drawn item using the point starts
    for op in cp.ops:
        names = [n for r in op.refs for n in r.names]
        if op.kind in ("segment", "polygon", "vector", "ray", "line"):
            ring = names + ([names[0]] if op.kind == "polygon" else [])
            for a, b in zip(ring, ring[1:]):
                cp.neighbours.setdefault(a, set()).add(b)
                cp.neighbours.setdefault(b, set()).add(a)
        for n in names:
            st = cp.point_style.get(n)
            if st is not None and st["reveal"] is None:
                st["reveal"] = op.reveal
    return cp


def _param(cp, prog, i, option, value):
    key = "angle" if option == "angle" else "param"
    if isinstance(value, Track):
        cp.tracks.append((("param", (i, key)), value))
        prog.params[(i, key)] = value.keys[0].value[0]
    else:
        prog.params[(i, key)] = value


def _canonical_points(points) -> dict | None:
    if points is None:
        return None
    out = {}
    for name, v in points.items():
        if not isinstance(name, str) or not C.NAME_RE.match(name):
            raise SceneError(f"invalid point name {name!r}: use a letter followed by letters, digits, _ or '",
                             ("points", str(name)))
        out[name] = export_value(_VEC, coerce(_VEC, v, ("points", name)))
    return out


@register
@dataclass(frozen=True, kw_only=True)
class Figure(Shape):
    """A geometry figure: named points, constructions, marks and axes in world units (see geometry.md)."""

    TYPE = "figure"
    # the free points and item parameters are sampled by the engine's track sampler at the figure's own
    # clock (the `time` property: the scene time by default), into the frame's properties
    CLOCK = "time"
    CLOCKED = ("points", "items")
    points: dict | None = field(None, "mapping", "named free points: name -> [x, y] or a keyframe track",
                                nullable=True)
    items: tuple = field((), "structs", "drawing and construction items, in order (later items draw on top)",
                         struct=FigureItem)
    scale: float = field(40.0, "number", "pixels per world unit", min=1e-6)
    y_up: bool = field(True, "bool", "world y axis points up (mathematical convention)")
    view: tuple | None = field(None, "numbers", "visible world rectangle [x0, y0, x1, y1] (clips lines, rays "
                               "and axes); null = all points over the whole scene, plus a margin",
                               nullable=True, min_items=4)
    center: tuple | None = field(None, "vec2", "world point placed at the node's local origin; null = the "
                                 "view's centre", nullable=True)
    axes: Axes | None = field(None, "struct", "coordinate axes, or null", struct=Axes, nullable=True)
    font: str = field("sans", "string", "font of labels")
    font_size: float = field(18.0, "number", "label size in pixels", min=1.0)
    point_size: float = field(3.5, "number", "radius of point markers in pixels", min=0.0)
    label_points: bool = field(True, "bool", "draw a marker and a label for every free point")
    reveal: float | None = field(None, "number", "step-by-step drawing: items 0..reveal are drawn, item k "
                                 "trimmed to reveal - k; null = all", anim=True, nullable=True, min=0.0)
    time: float = field(SCENE_CLOCK, "number", "the construction's clock (seconds) for point tracks; defaults "
                        "to the scene time; a number freezes the figure at that time", anim=True)
    exact: bool = field(True, "bool", "annotate exact (SymPy) coordinates and fact checks of the t = 0 "
                        "configuration")
    fill: tuple | None = field("#1D3557", "colour", "colour of point markers and labels", anim=True,
                               nullable=True)
    stroke: Stroke | None = field(Stroke(color="#1D3557", width=2.0, cap="round", join="round"), "struct",
                                  "default line style", struct=Stroke, nullable=True)

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "points", _canonical_points(self.points))
        if self.view is not None:
            if len(self.view) != 4 or not (self.view[2] > self.view[0] and self.view[3] > self.view[1]):
                raise SceneError("expected [x0, y0, x1, y1] with x1 > x0 and y1 > y0", ("view",))
        object.__setattr__(self, "_cp", _compile(self))

    # -- Python helpers
    def revealed(self, start: float = 0.0, per_item: float = 0.5, ease="linear") -> "Figure":
        """Copy that draws its items one after another from ``start``, ``per_item`` seconds each."""
        n = max(self._cp.n_reveal, 1)
        return self.replace(reveal=keys((start, 0.0, ease), (start + n * per_item, float(n))))

    def state_at(self, t: float, seed: int = 0) -> dict:
        """Name -> value (point (x, y), line ((x, y), (x, y)), circle ((x, y), r)) at figure time ``t``."""
        return _Evaluator(self, seed).state(t)

    def describe(self) -> dict:
        """Caption data (no prose), exact from the scene: the free points (and which move), the items
        in drawing order, and the relations the construction makes hold in every frame."""
        points = dict(self.points or {})
        moving = [key[1] for key, track in self._cp.tracks if key[0] == "point" and not track.is_constant()]
        items = []
        for it in self.items:
            entry = {"kind": it.kind, "of": getattr(it, it.kind)}
            for key in ("name", "centre"):
                if getattr(it, key, None):
                    entry[key] = getattr(it, key)
            if it.kind == "angle" and it.value:
                entry["value"] = True
            if not it.show:
                entry["shown"] = False
            items.append(entry)
        return {
            "points": list(points),
            "moving": moving,
            "items": items,
            "facts": [{"relation": rel, "args": list(args)} for rel, args, _ in self._cp.facts],
            "axes": self.axes is not None,
        }

    # -- engine hooks
    def properties(self):
        """What the compiler samples (see ``compile.node_properties``): every field, with the tracks of
        the free points as ``points.<name>`` (the field keeps plain data) and the animated parameters of
        rotation / on items as ``items.<i>.degrees`` / ``items.<i>.param``; their noise names are the
        ones the figure always used (``point.<name>``, ``param.(i, key)``), so wiggles are unchanged."""
        for name, spec, _ in specs(type(self)):
            if name in ("id", "transform", "visible", "children"):
                continue
            v = getattr(self, name)
            if name == "points":
                for (kind, key), track in self._cp.tracks:
                    if kind == "point":
                        yield f"points.{key}", track, "vector", f"point.{key}"
            elif name == "items":
                for (kind, key), track in self._cp.tracks:
                    if kind == "param":
                        i, what = key
                        yield f"items.{i}.{_PARAM_FIELD[what]}", track, "number", f"param.{key}"
            elif spec.kind == "struct" and v is not None:
                for sub, sspec, _ in specs(type(v)):
                    yield f"{name}.{sub}", getattr(v, sub), sspec.kind, None
            yield name, v, spec.kind, None

    def prepare(self, ctx):
        ev = _Evaluator(self, ctx.scene.seed)
        ctx.cache["ev"] = ev
        try:
            ctx.font_chain(self.font)
        except SceneError as exc:
            raise SceneError(exc.message, ("font",)) from None
        if self.view is None:
            # the automatic view holds every point over the node's whole window: one batch sample
            canvas = ctx.scene.canvas
            start, end = ctx.entry.window
            times = np.arange(canvas.n_frames) / canvas.fps
            times = times[(times >= start) & (times < end)]
            if len(times) == 0:
                times = np.array([0.0])
            states = [ev.run(*ev.inputs_of(q), float(q["time"])) for q in ctx.props_at(times)]
            ctx.cache["view"] = tuple(_auto_view(states))
        else:
            ctx.cache["view"] = tuple(self.view)

    def emit(self, ctx) -> list:
        return emit_figure(self, ctx)

    def annotate(self, ctx):
        return annotate_figure(self, ctx)


_PARAM_FIELD = {"angle": "degrees", "param": "param"}


class _Evaluator:
    """Runs a figure's construction from a frame's sampled properties (:meth:`inputs_of`: the engine
    sampled the points and parameters at the figure's clock). For :meth:`Figure.state_at`, a figure
    outside a scene, it samples the same tracks itself with the same sampler (:meth:`state`)."""

    def __init__(self, fig: Figure, seed: int):
        from symbolreel.animators import noise_key, pack_tracks  # deferred: Numba kernels (light imports)

        self.fig = fig
        self.cp = fig._cp
        self.keys = [k for k, _ in self.cp.tracks]
        node_id = fig.id or "figure"
        tracks = [tr for _, tr in self.cp.tracks]
        nk = [noise_key(seed, node_id, f"{a}.{b}") for a, b in self.keys]
        self.packed = pack_tracks(tracks, None, nk) if tracks else None
        self.time_packed = pack_tracks([fig.time], None, [noise_key(seed, node_id, "time")]) \
            if isinstance(fig.time, Track) else None
        self.param_props = [(key, f"items.{key[0]}.{_PARAM_FIELD[key[1]]}") for kind, key in self.keys
                            if kind == "param"]

    def inputs_of(self, p) -> tuple:
        """``(free points, params)`` from sampled properties ``p`` (``points.<name>``, ``items.<i>.<field>``)."""
        prog = self.cp.prog
        free = {n: (p[f"points.{n}"] if isinstance(v, Track) else v) for n, v in prog.free.items()}
        params = prog.params
        if self.param_props:
            params = dict(params)
            for key, prop in self.param_props:
                params[key] = p[prop]
        return free, params

    def clock(self, times) -> np.ndarray:
        times = np.asarray(times, dtype=np.float64)
        if self.time_packed is None:
            return np.full(len(times), float(self.fig.time))
        from symbolreel.animators import sample_tracks  # deferred: Numba kernels (light imports)

        return sample_tracks(self.time_packed, times)[:, 0]

    def inputs(self, clock) -> list:
        """[(free, params)] per figure time."""
        prog = self.cp.prog
        base_free = {n: v for n, v in prog.free.items() if not isinstance(v, Track)}
        rows = None
        if self.packed is not None:
            from symbolreel.animators import sample_tracks  # deferred: Numba kernels (light imports)

            rows = sample_tracks(self.packed, np.asarray(clock, dtype=np.float64)).tolist()
            cols = list(zip(self.keys, self.packed.columns))
        out = []
        for j in range(len(clock)):
            free = dict(base_free)
            params = dict(prog.params)
            if rows is not None:
                row = rows[j]
                for (kind, key), col in cols:
                    v = row[col]
                    if kind == "point":
                        free[key] = (float(v[0]), float(v[1]))
                    else:
                        params[key] = float(v[0])
            # keep the declared order of free points
            out.append(({n: free[n] for n in prog.free}, params))
        return out

    def states(self, clock, path=()) -> list:
        return [self.run(free, params, float(t), path) for (free, params), t in zip(self.inputs(clock), clock)]

    def run(self, free, params, t, path=(), backend=C.FLOAT):
        try:
            return C.evaluate(self.cp.prog, free, params, backend)
        except C.Degenerate as exc:
            st = exc.step
            raise SceneError(f"{exc} at t={t:g}s", tuple(path) + ("items", st.index, st.kind)) from None

    def state(self, t: float, path=()) -> dict:
        clock = self.clock([t])
        (free, params), = self.inputs(clock)
        return self.run(free, params, float(clock[0]), path)


def _auto_view(states) -> tuple:
    xs, ys = [], []
    for st in states:
        for v in st.values():
            if isinstance(v[0], float):          # point
                xs.append(v[0])
                ys.append(v[1])
            elif len(v) == 2 and isinstance(v[1], float) and isinstance(v[0], tuple):   # circle
                (cx, cy), r = v
                xs += [cx - r, cx + r]
                ys += [cy - r, cy + r]
    if not xs:
        return (-5.0, -5.0, 5.0, 5.0)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = 0.12 * max(x1 - x0, y1 - y0, 1e-9) + 0.5
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def reveal_steps(fig: Figure, start: float = 0.0, per_item: float = 0.5, ease="linear") -> Figure:
    """``fig`` with a ``reveal`` track drawing its items one after another (see :meth:`Figure.revealed`)."""
    return fig.revealed(start, per_item, ease)


__all__ = ["Figure", "FigureItem", "Axes", "reveal_steps"]
