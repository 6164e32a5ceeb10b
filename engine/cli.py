"""Command line: ``render scene.yaml -o out.mp4`` and ``symbolreel <command> ...``."""
from __future__ import annotations

import argparse
import os
import sys

from .errors import SymbolreelError

EXIT_BAD_INPUT = 2

RENDER_EPILOG = """examples:
  render examples/text_card.yaml -o card.mp4            whole clip to H.264 MP4
  render scene.yaml --frame 12 -o f12.png               one frame to PNG
  render scene.yaml --frames 0:30 -o frames/%05d.png    frames 0..29 as numbered PNGs
  render scene.yaml -o out.mp4 --annotations ann.json   also write exact per-frame annotations
  render scene.yaml -o out.mp4 --workers 4              render in 4 processes (same pixels)
  render road.yaml -o f/%05d.png --tusimple lanes.json  frames + TuSimple lane labels (--culane DIR too)
"""


def _frames_arg(text: str):
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            return (int(a) if a else 0, int(b) if b else None)
        raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A:B (e.g. 0:30), got {text!r}") from None


def add_render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scene", help="scene file (YAML or JSON), e.g. examples/text_card.yaml")
    p.add_argument("-o", "--output", help="output: out.mp4, out.png (one frame), dir/%%05d.png, out.svg (one "
                                          "frame) or out.pdf (a page per frame); "
                                          "default: <scene name>.mp4 next to the scene")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--frame", type=int, metavar="N", help="render only frame N (0-based), e.g. --frame 12")
    g.add_argument("--frames", type=_frames_arg, metavar="A:B", help="render frames A..B-1, e.g. --frames 0:30")
    p.add_argument("--annotations", metavar="FILE.json", help="write exact per-frame annotations (boxes, quads, "
                                                              "characters) to this JSON file")
    p.add_argument("--tusimple", metavar="FILE.json", help="lane labels of road nodes, TuSimple JSON lines "
                                                           "(one record per frame)")
    p.add_argument("--culane", metavar="DIR", help="lane labels of road nodes, one CULane .lines.txt per frame")
    p.add_argument("--lane-masks", metavar="PATTERN", help="per-class lane-marking masks of road nodes, e.g. "
                                                          "masks/%%05d.png (greyscale class ids, 0 = background)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes to render with (default 1)")
    p.add_argument("--backend", choices=("skia", "cairo"), default="skia",
                   help="rasteriser: skia (default, fastest) or cairo; .svg/.pdf output always uses cairo")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality, 0 (lossless) .. 51 (worst); default 18")
    p.add_argument("--preset", default="medium", help="x264 speed preset, e.g. ultrafast, fast, medium (default)")
    p.add_argument("--pix-fmt", default="yuv420p", help="video pixel format: yuv420p (default, needs even size) "
                                                         "or yuv444p")
    p.add_argument("--compress-level", type=int, default=6, choices=range(0, 10), metavar="0-9",
                   help="PNG zlib level (default 6; 1 is much faster, files ~20%% larger)")
    p.add_argument("--max-side", type=int, help="raise the canvas size limit (default 8192)")
    p.add_argument("--max-frames", type=int, help="raise the frame count limit (default 100000)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def cmd_render(args) -> int:
    from .errors import SceneError
    from .scene import locate

    try:
        return _render(args)
    except SceneError as exc:
        raise locate(exc, args.scene) from None


def _render(args) -> int:
    from . import api
    from .scene import DEFAULT_LIMITS, Limits, load

    scene = load(args.scene)
    n = scene.n_frames
    if args.frame is not None:
        if not 0 <= args.frame < n:
            raise SymbolreelError(f"--frame {args.frame}: the scene has {n} frames (0..{n - 1})")
        indices = [args.frame]
    elif args.frames is not None:
        a, b = args.frames
        b = n if b is None else b
        if not (0 <= a < b <= n):
            raise SymbolreelError(f"--frames {a}:{b}: the scene has {n} frames (0..{n - 1})")
        indices = list(range(a, b))
    else:
        indices = None
    output = args.output
    if output is None:
        stem = os.path.splitext(args.scene)[0]
        output = stem + (".png" if (indices is not None and len(indices) == 1) or n == 1 else ".mp4")
    if indices is None and output.lower().endswith((".png", ".svg")) and "%" not in output:
        indices = [0]
    limits = Limits(max_side=args.max_side or DEFAULT_LIMITS.max_side,
                    max_frames=args.max_frames or DEFAULT_LIMITS.max_frames)
    bar = None
    progress = None
    total = len(indices) if indices is not None else n
    if not args.quiet and total > 1:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="frame", file=sys.stderr, desc=os.path.basename(output), leave=False)

        def progress(done, _total):
            bar.update(1)
    try:
        result = api.render(scene, output, frames=indices, workers=args.workers, annotations=args.annotations,
                            crf=args.crf, preset=args.preset, compress_level=args.compress_level,
                            progress=progress, limits=limits, pix_fmt=args.pix_fmt, tusimple=args.tusimple,
                            culane_dir=args.culane, lane_masks=args.lane_masks, backend=args.backend,
                            base_dir=os.path.dirname(os.path.abspath(args.scene)))
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        extra = f", annotations in {result.annotations}" if result.annotations else ""
        print(f"wrote {result.output}: {result.frames} frame(s) at {result.width}x{result.height}{extra}",
              file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    from .scene import json_schema_text

    text = json_schema_text() + "\n"
    if args.output:
        from .sinks import atomic_output

        with atomic_output(args.output) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_validate(args) -> int:
    from .compile import CompiledScene
    from .raster import Renderer
    from .scene import load

    from .errors import SceneError
    from .scene import locate

    for path in args.scenes:
        scene = load(path)
        scene.check_limits(file=path)
        try:
            Renderer(CompiledScene(scene, os.path.dirname(os.path.abspath(path))))
        except SceneError as exc:
            raise locate(exc, path) from None
        if not args.quiet:
            print(f"{path}: ok ({scene.canvas.width}x{scene.canvas.height}, {scene.n_frames} frames, "
                  f"{len(scene.walk())} nodes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="symbolreel", description="Render symbol scenes (text, math, geometry, "
                                "lane markings) to images, video and exact annotations.")
    p.add_argument("--version", action="version", version=f"symbolreel {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    r = sub.add_parser("render", help="render a scene to MP4 / PNG", epilog=RENDER_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Render a scene file to video or images.")
    add_render_args(r)
    r.set_defaults(func=cmd_render)
    s = sub.add_parser("schema", help="print the JSON Schema of the scene format",
                       description="Print the JSON Schema (draft 2020-12) of scene files.")
    s.add_argument("-o", "--output", help="write to this file instead of stdout")
    s.set_defaults(func=cmd_schema)
    v = sub.add_parser("validate", help="check scene files without rendering them",
                       description="Parse, validate and resolve fonts of scene files; exit 2 on the first error.")
    v.add_argument("scenes", nargs="+")
    v.add_argument("-q", "--quiet", action="store_true")
    v.set_defaults(func=cmd_validate)
    return p


def _run(args) -> int:
    try:
        return args.func(args)
    except SymbolreelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ValueError, OSError) as exc:
        if getattr(args, "debug", False):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; no partial output was left behind", file=sys.stderr)
        return 130


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    return _run(args)


def render_main(argv=None) -> int:
    """The ``render`` console script: same as ``symbolreel render``."""
    p = argparse.ArgumentParser(prog="render", description="Render a scene file to video or images.",
                                epilog=RENDER_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_render_args(p)
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    args = p.parse_args(argv)
    args.func = cmd_render
    return _run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
