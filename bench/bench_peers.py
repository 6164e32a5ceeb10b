"""Word images: symbolreel against SynthTIGER and TRDG on the same task, in the same run.

The task: N words drawn with a seeded generator from a bundled corpus (``en``: the English word
list with Noto Sans; ``zh``: the Chinese word list with Noto Sans SC, the same font files from
fonts/ for every tool), each rendered black on white at one font size into an image sized to the
word, and written as a PNG file (zlib level 6). Each tool runs in its own process through a small
driver (bench/peers/drive_*.py) inside its own venv; the peers' venvs come from
``bash bench/peers/setup.sh`` (pinned old numpy and Pillow), and a peer whose venv is missing or
whose driver fails is reported as such, not crashed on.

symbolreel's side is ``render_stills`` over one Text scene per word, not ``symbolreel generate``:
the peers write an image and a label and nothing else, while a generator item also carries
annotations, captions, scene YAML and masks (bench_generate.py measures those). render_stills is
what a user of symbolreel as a renderer for such a task would call.

    .venv/bin/python bench/bench_peers.py [--count 1500] [--workers 1,2] [--rounds 1] [--tasks en,zh]

items/s counts the drawing-and-writing loop (after imports and constructors, reported apart as
setup); "whole" divides by the wall time of the whole driver process (interpreter start included).
With --rounds R every job runs R times, interleaved, and the best round counts.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
TASKS = {"en": ("en_words.tsv", "noto-sans.ttf"), "zh": ("zh_words.tsv", "noto-sans-sc.otf")}
TOOLS = {"symbolreel": Path(sys.executable), "synthtiger": PEERS / ".venv-synthtiger" / "bin" / "python",
         "trdg": PEERS / ".venv-trdg" / "bin" / "python"}


def sample_words(task: str, count: int, seed: int) -> list:
    """``count`` words drawn uniformly (with replacement) from the task's bundled corpus."""
    from symbolreel.datasets import corpora

    corpus_file, _ = TASKS[task]
    path = Path(corpora.__file__).parent / corpus_file
    words = [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    rng = np.random.default_rng([seed, 12])
    return [words[i] for i in rng.integers(0, len(words), count)]


def png_sizes(folder: Path) -> list:
    """(width, height) of every PNG in ``folder`` (from the IHDR chunk)."""
    out = []
    for p in folder.iterdir():
        if p.suffix == ".png":
            with open(p, "rb") as fh:
                head = fh.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n":
                out.append(struct.unpack(">II", head[16:24]))
    return out


def run_driver(tool: str, job: dict, tmp: Path, timeout: float) -> dict:
    python = TOOLS[tool]
    if not python.exists():
        return {"error": f"not installed ({python.relative_to(ROOT)} missing: run bash bench/peers/setup.sh)"}
    out = Path(job["out"])
    shutil.rmtree(out, ignore_errors=True)
    job_path = tmp / f"job-{tool}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([str(python), str(PEERS / f"drive_{tool}.py"), str(job_path)], capture_output=True,
                              text=True, timeout=timeout, cwd=str(tmp))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    whole = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"driver failed (exit {proc.returncode}): {tail[0][:200]}"}
    res = json.loads(lines[-1])
    sizes = png_sizes(out)
    if len(sizes) != res["items"]:
        return {"error": f"wrote {len(sizes)} PNG files for {res['items']} items"}
    res["whole_s"] = whole
    res["mean_wh"] = tuple(np.mean(np.array(sizes), axis=0).round().astype(int)) if sizes else (0, 0)
    res["bytes"] = sum(p.stat().st_size for p in out.iterdir() if p.suffix == ".png")
    shutil.rmtree(out, ignore_errors=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1500, help="words per task")
    ap.add_argument("--workers", default="1,2", help="process counts to time, e.g. 1,2")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds; the best counts")
    ap.add_argument("--tasks", default="en,zh", help="en, zh or both")
    ap.add_argument("--size", type=int, default=32, help="font size in pixels")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per driver run")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    tasks = args.tasks.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"# bench_peers: {platform.python_version()}, {os.cpu_count()} CPUs visible, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at start; {args.count} words per task, font size {args.size}")
    results = {}
    try:
        for task in tasks:
            words_file = tmp / f"words-{task}.txt"
            words_file.write_text("\n".join(sample_words(task, args.count, args.seed)) + "\n", encoding="utf-8")
            font = ROOT / "fonts" / TASKS[task][1]
            for r in range(args.rounds):
                for w in workers:
                    for tool in TOOLS:
                        job = {"words": str(words_file), "font": str(font), "size": args.size, "pad": 8,
                               "out": str(tmp / f"out-{tool}"), "workers": w, "seed": args.seed}
                        res = run_driver(tool, job, tmp, args.timeout)
                        key = (task, w, tool)
                        best = results.get(key)
                        if "error" in res:
                            results.setdefault(key, res)
                        elif best is None or "error" in best or res["render_s"] < best["render_s"]:
                            results[key] = res
                        print(f"  {task} {w}w {tool}: " + (res["error"] if "error" in res else
                              f"{res['items'] / res['render_s']:.1f} items/s"), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    end = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"# load average at end: {end[0]:.1f} {end[1]:.1f} {end[2]:.1f}")
    print()
    print("| task | workers | tool | items/s | whole items/s | setup s | mean image (w x h) | KB/image "
          "| symbolreel / tool |")
    print("|---|---:|---|---:|---:|---:|---|---:|---:|")
    for task in tasks:
        for w in workers:
            ours = results.get((task, w, "symbolreel"), {})
            for tool in TOOLS:
                res = results[(task, w, tool)]
                if "error" in res:
                    print(f"| {task} | {w} | {tool} | {res['error']} | | | | | |")
                    continue
                rate = res["items"] / res["render_s"]
                ratio = "–"
                if tool != "symbolreel" and "render_s" in ours:
                    ratio = f"{(ours['items'] / ours['render_s']) / rate:.2f}x"
                mw, mh = res["mean_wh"]
                print(f"| {task} | {w} | {res['version']} | {rate:.1f} | {res['items'] / res['whole_s']:.1f} | "
                      f"{res['setup_s']:.2f} | {mw} x {mh} | {res['bytes'] / res['items'] / 1024:.1f} | {ratio} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
