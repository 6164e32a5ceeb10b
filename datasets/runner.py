"""Run a recipe: cut the items into work units, render the units in parallel, write the index files.

A work unit is a range of item indices that one worker renders and writes into its own shard(s);
frames and items never cross processes, only the small unit record comes back. A finished unit
leaves ``.units/unit-NNNNNN.json`` (written last, atomically) next to its shards, so after a crash
(kill -9 included) ``resume`` recomputes exactly the units without a record. When every unit is
done, the manifest, SHA256SUMS, index.json and the dataset card are written from the records and
``.units`` is removed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from symbolreel.errors import SymbolreelError
from symbolreel.sinks import atomic_output

from .items import ItemError, choose, make_item
from .shards import ShardWriter

__all__ = ["Unit", "GenerateError", "OutputFolderError", "GenerateResult", "plan_units", "run_unit", "run",
           "default_workers", "expected_costs", "schedule_units", "RECIPE_FILE", "UNITS_DIR"]

RECIPE_FILE = "recipe.yaml"
UNITS_DIR = ".units"
# items drawn ahead of the one being written: its PNGs encode on threads meanwhile (the threads need the
# GIL back after deflating, which the drawing thread yields only every switch interval)
PIPELINE_ITEMS = 8


class GenerateError(SymbolreelError):
    """The run could not finish (failed items are listed with their keys, seeds and ``--only``)."""


class OutputFolderError(SymbolreelError):
    """The output folder cannot receive this run (not empty, another recipe, ...): bad input."""


@dataclass(frozen=True)
class Unit:
    unit: int
    start: int
    stop: int

    @property
    def count(self) -> int:
        return self.stop - self.start


@dataclass
class GenerateResult:
    out_dir: str
    items: int
    shards: int
    bytes: int
    seconds: float
    units_run: int


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                      # not Linux
        return max(1, os.cpu_count() or 1)


def plan_units(recipe) -> list:
    n, size = recipe.count, recipe.shard_items
    return [Unit(u, s, min(s + size, n)) for u, s in enumerate(range(0, n, size))]


def _clip_frames(recipe, entry) -> int:
    opts = {**entry.options, **recipe.canvas}
    return max(1, int(round(float(opts.get("fps", 24.0)) * float(opts.get("duration", 2.0)))))


def expected_costs(recipe, units: list) -> list:
    """Relative expected cost of each unit: a still counts 1, a clip its frame count (every frame
    is drawn, annotated and encoded). Each item's domain and media are the runner's own cheap
    draws (the same :func:`choose` calls :func:`make_item` makes), so the estimate knows which
    items are clips; recipes that make one kind of media skip the per-item draws (cost = count)."""
    from .seeding import item_rng, item_seed

    frames = {d.name: _clip_frames(recipe, d) for d in recipe.domains}
    kinds = {m for d in recipe.domains if d.weight > 0 for m, w in d.media.items() if w > 0}
    if len(kinds) < 2:
        return [float(u.count) for u in units]
    weights = {d.name: d.weight for d in recipe.domains}
    costs = []
    for u in units:
        cost = 0.0
        for index in range(u.start, u.stop):
            seed = item_seed(recipe.seed, index)
            name = choose(item_rng(seed, "domain"), weights)
            media = choose(item_rng(seed, "media"), recipe.domain(name).media)
            cost += frames[name] if media == "clip" else 1.0
        costs.append(cost)
    return costs


def schedule_units(recipe, units: list) -> list:
    """The order a pool takes ``units`` in: largest expected cost first, ties in unit order.

    With units of unequal cost (``tiny`` mixes clips and stills) index order can leave the
    slowest unit for last while the other workers idle; longest first keeps every worker busy
    until the end. Only the order of work changes: each unit still writes its own shards, and
    the index files are written in unit order, so the bytes are those of any other order.
    """
    costs = expected_costs(recipe, units)
    order = sorted(range(len(units)), key=lambda k: (-costs[k], units[k].unit))
    return [units[k] for k in order]


def _unit_record_path(out_dir, unit: int) -> Path:
    return Path(out_dir) / UNITS_DIR / f"unit-{unit:06d}.json"


def run_unit(recipe, unit: Unit, out_dir, counter=None) -> dict:
    """Render the items of ``unit`` into their shard(s); write and return the unit record.

    ``counter``: an optional shared integer (``multiprocessing.Value``) incremented per item, for
    the progress bar. Raises :class:`ItemError` naming the first item that failed.
    """
    out_dir = Path(out_dir)
    rows = []

    def write(item):
        item.resolved()
        shard, offset = writer.add(item.key, item.members)
        members = [{"name": ext, "bytes": len(data), "sha256": _sha256(data)}
                   for ext, data in sorted(item.members.items())]
        rows.append({**item.row, "shard": shard, "offset": offset, "members": members})
        if counter is not None:
            with counter.get_lock():
                counter.value += 1

    # PNG encodings (deflating releases the GIL) run on threads while the next items are drawn; an
    # item is written once its encodings are done, in index order
    with ThreadPoolExecutor(2, thread_name_prefix="encode") as pool, \
            ShardWriter(out_dir, recipe.shard_prefix, unit.unit, recipe.shard_max_bytes) as writer:
        waiting: deque = deque()
        for index in range(unit.start, unit.stop):
            waiting.append(make_item(recipe, index, encode=pool.submit))
            if len(waiting) > PIPELINE_ITEMS:
                write(waiting.popleft())
        while waiting:
            write(waiting.popleft())
        shards = [dataclasses.asdict(s) for s in writer.close()]
    record = {"unit": unit.unit, "start": unit.start, "stop": unit.stop, "shards": shards, "rows": rows}
    path = _unit_record_path(out_dir, unit.unit)
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, separators=(",", ":"))
    return record


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------ the run

def _read_record(out_dir, unit: Unit) -> dict | None:
    """The unit's record if the unit is complete (record present, its shards present at their size)."""
    path = _unit_record_path(out_dir, unit.unit)
    try:
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None
    if (record.get("start"), record.get("stop")) != (unit.start, unit.stop):
        return None
    for s in record["shards"]:
        p = Path(out_dir) / s["name"]
        if not p.is_file() or p.stat().st_size != s["bytes"]:
            return None
    return record


def _clean_unfinished(out_dir: Path, recipe, done: set) -> None:
    """Remove temporary files and the shards of units without a record (a crash left them)."""
    prefix = recipe.shard_prefix + "-"
    for p in out_dir.iterdir():
        name = p.name
        if ".partial-" in name and name.startswith("."):
            with contextlib.suppress(OSError):
                p.unlink()
        elif name.startswith(prefix) and name.endswith(".tar"):
            try:
                unit = int(name[len(prefix):].split("-")[0])
            except ValueError:
                continue
            if unit not in done:
                p.unlink()
    units = out_dir / UNITS_DIR
    if units.is_dir():
        for p in units.iterdir():
            if ".partial-" in p.name:
                with contextlib.suppress(OSError):
                    p.unlink()


def _prepare(recipe, out_dir: Path, resume: bool) -> None:
    """Check the folder may receive this run; store the resolved recipe there."""
    from .manifest import MANIFEST
    from .recipe import loads_recipe

    stored = out_dir / RECIPE_FILE
    if out_dir.exists() and any(out_dir.iterdir()):
        if not stored.is_file():
            raise OutputFolderError(f"{out_dir}: the folder is not empty and holds no {RECIPE_FILE} of a run; "
                                f"choose an empty or new --out folder")
        if not resume:
            done = (out_dir / MANIFEST).is_file() and not (out_dir / UNITS_DIR).exists()
            raise OutputFolderError(f"{out_dir}: already holds {'a dataset' if done else 'an unfinished run'}; "
                                f"pass --resume to finish it, or choose an empty --out folder")
        previous = loads_recipe(stored.read_text(encoding="utf-8"), str(stored))
        if previous.fingerprint() != recipe.fingerprint():
            raise OutputFolderError(f"{out_dir}: --resume needs the same recipe (with the same --count and --seed) "
                                f"as the run that made the folder; its recipe is in {stored}")
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_output(stored) as tmp:
        tmp.write_text(recipe.dumps(), encoding="utf-8")


def run(recipe, out_dir, *, workers: int | None = None, resume: bool = False, backend: str = "local",
        address: str | None = None, progress: bool = True) -> GenerateResult:
    """Generate ``recipe`` into ``out_dir``; see :func:`symbolreel.datasets.generate`."""
    from .card import write_card
    from .manifest import MANIFEST, write_index_files

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise SymbolreelError(f"--workers must be >= 1, found {workers}")
    _prepare(recipe, out_dir, resume)
    if resume and (out_dir / MANIFEST).is_file() and not (out_dir / UNITS_DIR).exists():
        # the run had finished: nothing to recompute (symbolreel verify checks the bytes)
        from .manifest import read_sums

        sums = read_sums(out_dir)
        size = sum((out_dir / name).stat().st_size for name in sums)
        return GenerateResult(str(out_dir), recipe.count, len(sums), size, time.perf_counter() - t0, 0)
    units = plan_units(recipe)
    records = {}
    for u in units:
        rec = _read_record(out_dir, u) if resume else None
        if rec is not None:
            records[u.unit] = rec
    _clean_unfinished(out_dir, recipe, set(records))
    todo = [u for u in units if u.unit not in records]
    if todo and workers > 1:
        todo = schedule_units(recipe, todo)
    if todo:
        if backend == "local":
            new, failures = run_local(recipe, todo, out_dir, workers, progress)
        elif backend == "ray":
            from .ray_backend import run_ray

            new, failures = run_ray(recipe, todo, out_dir, workers, address, progress)
        else:
            raise GenerateError(f"--backend: expected local or ray, found {backend!r}")
        records.update(new)
        if failures:
            lines = "\n  ".join(failures)
            raise GenerateError(f"{len(failures)} work unit(s) failed; the others are kept, and --resume "
                                f"recomputes only the failed ones:\n  {lines}")
    ordered = [records[u.unit] for u in units]
    rows = [r for rec in ordered for r in rec["rows"]]
    shards = [s for rec in ordered for s in rec["shards"]]
    write_index_files(out_dir, rows, shards)
    write_card(out_dir, recipe, rows, shards)
    shutil.rmtree(out_dir / UNITS_DIR, ignore_errors=True)
    return GenerateResult(str(out_dir), len(rows), len(shards), sum(s["bytes"] for s in shards),
                          time.perf_counter() - t0, len(todo))


def describe_failure(unit: Unit, exc: BaseException) -> str:
    if isinstance(exc, ItemError):
        return str(exc)
    return f"unit {unit.unit} (items {unit.start}..{unit.stop - 1}): {type(exc).__name__}: {exc}"


# ------------------------------------------------------------------------------- local process pool

_COUNTER = None


def _exit_with_main() -> None:
    """A pool worker ends as soon as the main process is gone (kill -9 included).

    Workers are forked from the fork server, not from the main process, and each holds both ends
    of its task queue: without this a killed run would leave workers (and the fork server, which
    lives while they do) waiting forever, or finishing a unit while a resume recomputes it. The
    main process holds the write end of the worker's parent sentinel, which reads as closed the
    moment it dies.
    """
    import multiprocessing as mp
    import threading
    from multiprocessing.connection import wait

    parent = mp.parent_process()
    if parent is None:
        return

    def watch():
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-main", daemon=True).start()


def _pool_init(counter) -> None:
    global _COUNTER
    _exit_with_main()
    _COUNTER = counter


def _pool_context():
    """Workers forked from a fork server that imported :mod:`symbolreel.datasets.warm` (modules,
    kernels, fonts loaded once: starting a worker costs milliseconds, not seconds); spawned
    workers where there is no fork server. Neither forks the main process, whose threads and
    Skia state are not the workers' business."""
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["symbolreel.datasets.warm"])
        return ctx
    return mp.get_context("spawn")


def _pool_unit(recipe, unit, out_dir):
    return run_unit(recipe, unit, out_dir, _COUNTER)


def run_local(recipe, todo: list, out_dir, workers: int, progress: bool):
    """Run ``todo`` units in a pool of ``workers`` processes (in this process when 1).

    Returns ``({unit: record}, [failure messages])``; every unit runs even when another failed.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from symbolreel.animators import warm_up

    total = sum(u.count for u in todo)
    bar = _progress_bar(total, progress)
    records, failures = {}, []
    try:
        if workers == 1:
            for u in todo:
                try:
                    records[u.unit] = run_unit(recipe, u, out_dir, _BarCounter(bar))
                except Exception as exc:
                    failures.append(describe_failure(u, exc))
            return records, failures
        if progress and len(todo) < 2 * workers:
            _print(f"note: {len(todo)} work unit(s) for {workers} workers; a unit is {recipe.shard_items} items "
                   f"(shards.items): fewer items per unit spread the work better")
        warm_up()                          # compile the kernels into the disk cache before workers start
        ctx = _pool_context()
        counter = ctx.Value("q", 0)
        with ProcessPoolExecutor(min(workers, len(todo)), mp_context=ctx, initializer=_pool_init,
                                 initargs=(counter,)) as ex:
            pending = {ex.submit(_pool_unit, recipe, u, str(out_dir)): u for u in todo}
            shown = 0
            while pending:
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                shown = _advance(bar, counter.value, shown)
                for fut in done:
                    u = pending.pop(fut)
                    try:
                        records[u.unit] = fut.result()
                    except Exception as exc:
                        failures.append(describe_failure(u, exc))
            _advance(bar, counter.value, shown)
    finally:
        if bar is not None:
            bar.close()
    return records, failures


class _BarCounter:
    """In-process stand-in for the shared counter: each increment moves the progress bar."""

    def __init__(self, bar):
        self.bar, self._value = bar, 0

    def get_lock(self):
        return contextlib.nullcontext()

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, v: int) -> None:
        if self.bar is not None:
            self.bar.update(v - self._value)
        self._value = v


def _advance(bar, value: int, shown: int) -> int:
    if bar is not None and value > shown:
        bar.update(value - shown)
    return max(value, shown)


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    # tqdm shows items/s and the ETA from the rate so far
    return tqdm(total=total, unit="item", file=sys.stderr, desc="generate", dynamic_ncols=True)


def _print(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
