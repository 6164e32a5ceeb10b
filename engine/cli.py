"""Command line: ``render scene.yaml -o out.mp4`` and ``symbolreel <command> ...``."""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from .errors import SceneError, SymbolreelError, UsageError
from .lifecycle import Terminated, handle_sigterm

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


def _limit_arg(text: str):
    from .limits import parse_limit  # deferred: the CLI starts light (--help, schema)

    try:
        return parse_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limits(args):
    """Limits from --max-side, --max-frames and --limit NAME=N."""
    from .limits import DEFAULT_LIMITS, Limits  # deferred: the CLI starts light (--help, schema)

    values = dict(getattr(args, "limit", None) or [])
    if getattr(args, "max_side", None):
        values["max_side"] = args.max_side
    if getattr(args, "max_frames", None):
        values["max_frames"] = args.max_frames
    return Limits(**{**DEFAULT_LIMITS.describe(), **values})


def _workers_arg(text: str):
    if text == "auto":
        return text
    try:
        n = int(text)
        if n >= 1:
            return n
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a positive whole number or auto, got {text!r}")


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
    p.add_argument("--workers", type=_workers_arg, default="auto", metavar="N",
                   help="processes to render with, or auto (default: one per core for long clips, else 1); "
                        "the output does not depend on it")
    p.add_argument("--backend", choices=("skia", "cairo"), default="skia",
                   help="rasteriser: skia (default, fastest) or cairo; .svg/.pdf output always uses cairo")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality, 0 (lossless) .. 51 (worst); default 18")
    p.add_argument("--preset", default="medium", help="x264 speed preset, e.g. ultrafast, fast, medium (default)")
    p.add_argument("--pix-fmt", default="yuv420p", help="video pixel format: yuv420p (default, needs even size) "
                                                         "or yuv444p")
    p.add_argument("--compress-level", type=int, default=6, choices=range(0, 10), metavar="0-9",
                   help="PNG deflate level (default 6; 0 stores uncompressed, 9 is slowest and smallest)")
    p.add_argument("--max-side", type=int, help="raise the canvas size limit (default 8192)")
    p.add_argument("--max-frames", type=int, help="raise the frame count limit (default 100000)")
    p.add_argument("--limit", action="append", default=[], type=_limit_arg, metavar="NAME=N",
                   help="change a safety limit, e.g. --limit max_text=50000 (repeatable; see docs/limits.md)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def cmd_render(args) -> int:
    from .scene import locate  # deferred: the CLI starts light (--help, schema)

    try:
        return _render(args)
    except SceneError as exc:
        raise locate(exc, args.scene) from None


def _render(args) -> int:
    from . import api  # deferred: the CLI starts light (--help, schema)
    from .scene import load  # deferred: the CLI starts light (--help, schema)

    limits = _limits(args)
    scene = load(args.scene, limits)
    n = scene.n_frames
    if args.frame is not None:
        if not 0 <= args.frame < n:
            raise UsageError(f"--frame {args.frame}: the scene has {n} frames (0..{n - 1})")
        indices = [args.frame]
    elif args.frames is not None:
        a, b = args.frames
        b = n if b is None else b
        if not (0 <= a < b <= n):
            raise UsageError(f"--frames {a}:{b}: the scene has {n} frames (0..{n - 1})")
        indices = list(range(a, b))
    else:
        indices = None
    output = args.output
    if output is None:
        stem = os.path.splitext(args.scene)[0]
        output = stem + (".png" if (indices is not None and len(indices) == 1) or n == 1 else ".mp4")
    if indices is None and output.lower().endswith((".png", ".svg")) and "%" not in output:
        indices = [0]
    bar = None
    progress = None
    total = len(indices) if indices is not None else n
    if not args.quiet and total > 1:
        from tqdm import tqdm  # deferred: the CLI starts light (--help, schema)

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
    if args.annotations:
        from .records import json_schema_text  # deferred: the CLI starts light (--help, schema)
    else:
        from .scene import json_schema_text  # deferred: the CLI starts light (--help, schema)

    text = json_schema_text() + "\n"
    if args.output:
        from .sinks import atomic_output  # deferred: the CLI starts light (--help, schema)

        with atomic_output(args.output) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_validate(args) -> int:
    from .compile import CompiledScene  # deferred: the CLI starts light (--help, schema)
    from .raster import Renderer  # deferred: the CLI starts light (--help, schema)
    from .scene import load  # deferred: the CLI starts light (--help, schema)

    from .scene import locate  # deferred: the CLI starts light (--help, schema)

    limits = _limits(args)
    for path in args.scenes:
        args.current_input = path
        scene = load(path, limits)
        scene.check_limits(limits, file=path)
        try:
            Renderer(CompiledScene(scene, os.path.dirname(os.path.abspath(path))))
        except SceneError as exc:
            raise locate(exc, path) from None
        if not args.quiet:
            print(f"{path}: ok ({scene.canvas.width}x{scene.canvas.height}, {scene.n_frames} frames, "
                  f"{len(scene.walk())} nodes)")
    return 0


GENERATE_EPILOG = """examples:
  symbolreel generate --preset tiny --out data/tiny               a few hundred mixed items, seconds
  symbolreel generate recipe.yaml --out data/d --count 10000      your recipe, 10,000 items
  symbolreel generate recipe.yaml --out data/d --resume           finish a run that was interrupted
  symbolreel generate recipe.yaml --only 1234 --out one/          regenerate item 1234 alone (same bytes)
  symbolreel generate recipe.yaml --out data/d --backend ray --address auto   on a Ray cluster
  symbolreel verify data/d                                        check every shard against the manifest
"""


def cmd_generate(args) -> int:
    # deferred: the CLI starts light (--help, schema)
    from .datasets import GenerateError, generate, generate_only, load_preset, preset_names, recipe_schema

    if args.schema:

        sys.stdout.write(json.dumps(recipe_schema(), indent=2) + "\n")
        return 0
    if args.list_presets:
        print("\n".join(preset_names()))
        return 0
    if (args.recipe is None) == (args.preset is None):
        raise SymbolreelError("give a recipe file or --preset NAME (one of them), e.g. --preset tiny")
    if args.out is None:
        raise SymbolreelError("--out DIR is required (the folder receiving the shards)")
    recipe = args.recipe if args.recipe is not None else load_preset(args.preset)
    if args.only:
        paths = generate_only(recipe, args.only, args.out, count=args.count, seed=args.seed)
        if not args.quiet:
            print(f"wrote {len(paths)} member file(s) of item(s) {', '.join(map(str, args.only))} to {args.out}",
                  file=sys.stderr)
        return 0
    try:
        result = generate(recipe, args.out, count=args.count, seed=args.seed, workers=args.workers,
                          resume=args.resume, backend=args.backend, address=args.address, progress=not args.quiet)
    except GenerateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {result.out_dir}: {result.items} items in {result.shards} shards, {result.bytes / 1e6:.1f} MB "
              f"in {result.seconds:.1f} s ({result.units_run} unit(s) computed)", file=sys.stderr)
    return 0


def cmd_verify(args) -> int:
    from .datasets.verify import main_verify  # deferred: the CLI starts light (--help, schema)

    return max(main_verify(d) for d in args.dirs)


def add_dataset_commands(sub) -> None:
    """``symbolreel generate`` and ``symbolreel verify``."""
    g = sub.add_parser("generate", help="generate a dataset (WebDataset shards) from a recipe",
                       epilog=GENERATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Generate a captioned, labelled dataset from a recipe (see docs/datasets.md).")
    g.add_argument("recipe", nargs="?", help="recipe file (YAML)")
    g.add_argument("--preset", metavar="NAME", help="a shipped recipe instead of a file (--list-presets)")
    g.add_argument("--out", metavar="DIR", help="output folder (empty or new, or a run to --resume)")
    g.add_argument("--count", type=int, metavar="N", help="number of items (overrides the recipe)")
    g.add_argument("--seed", type=int, metavar="S", help="master seed (overrides the recipe)")
    g.add_argument("--workers", type=int, metavar="K", help="worker processes (default: one per core)")
    g.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
    g.add_argument("--only", type=int, action="append", metavar="I",
                   help="regenerate item I alone into --out as KEY.EXT files (repeatable)")
    g.add_argument("--backend", choices=("local", "ray"), default="local", help="local process pool (default) or Ray")
    g.add_argument("--address", metavar="A", help="Ray cluster address (default: start a local Ray)")
    g.add_argument("--list-presets", action="store_true", help="print the shipped preset names")
    g.add_argument("--schema", action="store_true", help="print the JSON Schema of recipe files")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    g.set_defaults(func=cmd_generate)
    v = sub.add_parser("verify", help="check a generated dataset against its manifest",
                       description="Check every shard, item and member of generated datasets; exit 1 on a problem.")
    v.add_argument("dirs", nargs="+", metavar="DIR")
    v.set_defaults(func=cmd_verify)


def build_parser() -> argparse.ArgumentParser:

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
    s = sub.add_parser("schema", help="print the JSON Schema of the scene format (or of annotation files)",
                       description="Print the JSON Schema (draft 2020-12) of scene files, or with "
                                   "--annotations of annotation files.")
    s.add_argument("-o", "--output", help="write to this file instead of stdout")
    s.add_argument("--annotations", action="store_true",
                   help="the schema of annotation files (symbolreel-annotations/2) instead")
    s.set_defaults(func=cmd_schema)
    v = sub.add_parser("validate", help="check scene files without rendering them",
                       description="Parse, validate and resolve fonts of scene files; exit 2 on the first error.")
    v.add_argument("scenes", nargs="+")
    v.add_argument("-q", "--quiet", action="store_true")
    v.add_argument("--limit", action="append", default=[], type=_limit_arg, metavar="NAME=N",
                   help="change a safety limit, e.g. --limit max_text=50000 (see docs/limits.md)")
    v.set_defaults(func=cmd_validate)
    for sp in (r, s, v):  # also accepted after the command: symbolreel render x.yaml --debug
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add_dataset_commands(sub)
    from .evaluate.cli import add_eval_parser  # deferred (light CLI start-up): symbolreel eval suite / score
    add_eval_parser(sub)
    return p


EXIT_INTERNAL = 1


def _run(args) -> int:
    """Run a command. Exit 2 only for the project's own errors (bad scene, limits, arguments,
    output); anything else is a bug: exit 1 with 'internal error' (``--debug`` shows the traceback)."""

    try:
        with handle_sigterm():
            return args.func(args)
    except SymbolreelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Terminated:
        print("terminated; no partial output was left behind", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("interrupted; no partial output was left behind", file=sys.stderr)
        return 130
    except OSError as exc:
        if getattr(args, "debug", False):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        where = getattr(args, "current_input", None) or getattr(args, "scene", None) or "(no input)"
        print(f"internal error while processing {where}: {type(exc).__name__}: {str(exc)[:300]}\n"
              f"This is a bug in symbolreel, not in the scene. Rerun with --debug to see the traceback, and "
              f"please report it with the input.", file=sys.stderr)
        return EXIT_INTERNAL


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
