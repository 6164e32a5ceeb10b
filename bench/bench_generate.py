"""Dataset generation throughput: ``symbolreel generate`` at 1 and 2 workers vs a hand-written loop.

Rows: the ``tiny`` preset (mixed stills and clips), ``text-zh`` (stills) and ``road`` (clips), each
generated with the local pool at 1 and at 2 workers (wall time of the whole run: pool start,
rendering, shards, manifest, card). The baseline is what a user writes without the generator, in
the same run and over the same items: for every item, the domain's sampler and scene builder (the
same specs and scenes), ``symbolreel.render_frame`` for the pixels, skia-python's PNG encoder and
``tarfile`` with default headers — one process, no annotations, captions, manifest or checks.

    .venv/bin/python bench/bench_generate.py [--scale 1.0] [--workers 1,2]

Prints a Markdown table: items/s at each worker count and their ratio; then, on the preset's
stills, the generator at 1 worker against the loop writing PNGs only, and against the loop
writing the same members (PNG, JSON with spec, captions and annotations, caption text, scene YAML).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import shutil
import sys
import tarfile
import tempfile
import time

import numpy as np

from symbolreel import datasets
from symbolreel.datasets.items import choose
from symbolreel.datasets.seeding import item_key, item_rng, item_seed

# default counts: about 30 s per run at 1 worker on an idle 2-core VM (3x the tiny preset),
# so that starting the pool (about 3 s) is a small part of the 2-worker runs
CASES = [("tiny", 900), ("text-zh", 1500), ("road", 100)]


def hand_written_loop(recipe, out_path, labels: bool = False) -> tuple:
    """Stills of ``recipe`` (same specs and scenes) with render_frame + skia's PNG encoder + tarfile;
    returns (seconds, items). Clips are skipped (the loop makes stills only). With ``labels`` it
    also writes what the generator's items hold: annotations and captions as JSON, the short
    caption, the scene YAML."""
    import json

    import skia

    import symbolreel as sr
    from symbolreel.datasets import domains

    def add(tar, name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    t0 = time.perf_counter()
    n = 0
    with tarfile.open(out_path, "w") as tar:
        for i in range(recipe.count):
            seed = item_seed(recipe.seed, i)
            name = choose(item_rng(seed, "domain"), {d.name: d.weight for d in recipe.domains})
            entry = recipe.domain(name)
            if choose(item_rng(seed, "media"), entry.media) != "still":
                continue
            dom = domains.get(name)
            spec = dom.sample(item_rng(seed, "sample"), entry.options, "still")
            scene = dom.build(spec)
            frame, objects = sr.render_frame(scene, 0, annotations=True) if labels else (sr.render_frame(scene, 0),
                                                                                       None)
            image = skia.Image.fromarray(frame, colorType=skia.kRGBA_8888_ColorType,
                                         alphaType=skia.kPremul_AlphaType, copy=False)
            add(tar, f"{item_key(i)}.png", bytes(image.encodeToData(skia.EncodedImageFormat.kPNG, 100)))
            if labels:
                caps = dom.captions(spec, scene, item_rng(seed, "captions"))
                doc = {"spec": spec, "captions": caps, "objects": objects}
                add(tar, f"{item_key(i)}.json", json.dumps(doc, ensure_ascii=False).encode())
                add(tar, f"{item_key(i)}.txt", caps["en"]["short"].encode())
                add(tar, f"{item_key(i)}.scene.yaml", scene.dumps().encode())
            n += 1
    return time.perf_counter() - t0, n


def _cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its waited-for children (ffmpeg)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def still_only(recipe):
    """The recipe with its stills only (for comparing with the hand-written still loop)."""
    doms = tuple(d.__class__(d.name, d.weight, {"still": 1.0}, d.options) for d in recipe.domains)
    return recipe.replace(media={"still": 1.0}, domains=doms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the item counts (0.25 for a quick run)")
    ap.add_argument("--workers", default="1,2", help="worker counts to time, e.g. 1,2,4")
    args = ap.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    from symbolreel.animators import warm_up

    warm_up()
    tmp = tempfile.mkdtemp(prefix="bench-generate-")
    load = os.getloadavg()
    print(f"# bench_generate: {platform.python_version()}, {os.cpu_count()} CPUs visible, {platform.machine()}, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at start")
    print()
    print("| preset | items | media | " + " | ".join(f"{w} worker{'s' if w > 1 else ''} items/s" for w in workers)
          + f" | {workers[-1]}w / 1w | 1w cores busy | stills: generator 1w | loop (PNG only) | ratio | loop (same members) | ratio |")
    print("|---|---:|---|" + "---:|" * (len(workers) + 7))
    try:
        for name, count in CASES:
            n = max(2, int(count * args.scale))
            # a work unit is what one worker takes: several per worker, or workers wait on the last one
            recipe = datasets.load_preset(name).replace(count=n, shard_items=max(1, n // (4 * max(workers))))
            media = "+".join(sorted(recipe.media))
            rates = []
            busy = float("nan")
            for w in workers:
                out = os.path.join(tmp, f"{name}-{w}")
                c0 = _cpu_seconds()
                t0 = time.perf_counter()
                datasets.generate(recipe, out, workers=w)
                wall = time.perf_counter() - t0
                rates.append(recipe.count / wall)
                if w == 1:
                    busy = (_cpu_seconds() - c0) / wall
                shutil.rmtree(out)
            extra = "– | – | – | – | –"
            if "still" in recipe.media:
                stills = still_only(recipe)
                out = os.path.join(tmp, f"{name}-stills")
                t0 = time.perf_counter()
                datasets.generate(stills, out, workers=1)
                ours = stills.count / (time.perf_counter() - t0)
                secs, n = hand_written_loop(stills, os.path.join(tmp, f"{name}-loop.tar"))
                bare = n / secs
                secs, n = hand_written_loop(stills, os.path.join(tmp, f"{name}-loop2.tar"), labels=True)
                same = n / secs
                extra = f"{ours:.1f} | {bare:.1f} | {ours / bare:.2f}x | {same:.1f} | {ours / same:.2f}x"
            cells = " | ".join(f"{r:.1f}" for r in rates)
            print(f"| {name} | {recipe.count} | {media} | {cells} | {rates[-1] / rates[0]:.2f}x | {busy:.2f} | {extra} |",
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    print(f"# load average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
