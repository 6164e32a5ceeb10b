"""Run the scene fuzzer for a number of cases or minutes; record every input that ends badly.

    .venv/bin/python scripts/fuzz.py --minutes 30 --jobs 2
    .venv/bin/python scripts/fuzz.py --cases 10000 --seed 1 --render-every 5

Each case (a mutated example scene, see tests/fuzzer.py) runs in a worker process that is watched
for time and memory. A case is a finding when it ends in anything but success or the project's own
error naming the file, runs past --timeout seconds, or pushes the worker's peak RSS above
--budget-mb. Findings are written to --out (default tests/fuzz_regressions/, replayed by
tests/test_fuzz.py) as <kind>-<seed>-<case>.yaml. A JSON summary goes to stdout; exit 1 on findings.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE_TIMEOUT = 300.0  # seconds to build one case (big mutants are slow to write as YAML); not a finding
sys.path.insert(0, str(ROOT / "tests"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _worker(conn, seed: int, render_every: int, kill_mb: float, warm: bool):
    sys.path.insert(0, str(ROOT / "tests"))
    import fuzzer

    def watchdog():  # a case growing far past the budget is stopped here, before it takes the machine
        while True:
            time.sleep(0.05)
            if _rss_mb() > kill_mb:
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    for text in fuzzer._seed_texts() if warm else fuzzer.SEED_SCENES[:1]:
        fuzzer.run_case(text, True)  # warm imports, fonts and JIT kernels before measuring
    conn.send({"ready": True, "rss_mb": fuzzer.rss_peak_mb()})
    while True:
        index = conn.recv()
        if index is None:
            return
        try:
            text = fuzzer.make_case(seed, index)
        except Exception as exc:  # noqa: BLE001 - a bug of the generator, not of symbolreel
            conn.send({"index": index, "outcome": "generator", "detail": repr(exc), "seconds": 0.0,
                       "rss_mb": fuzzer.rss_peak_mb()})
            continue
        conn.send({"started": index})  # the time limit counts from here, not from generating the case
        result = fuzzer.timed_case(text, render_every > 0 and index % render_every == 0)
        result["index"] = index
        conn.send(result)


class _Slot:
    def __init__(self, args):
        self.args = args
        self.start()

    def start(self):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, self.args.seed, self.args.render_every,
                                                      self.args.kill_mb, self.args.warm), daemon=True)
        self.proc.start()
        child.close()
        self.baseline = self.conn.recv()["rss_mb"]
        self.index = None
        self.since = None
        self.done = 0

    def submit(self, index):
        self.index, self.since, self.started = index, time.monotonic(), False
        self.conn.send(index)

    def restart(self):
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.start()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=None, help="number of cases (default: unlimited with --minutes)")
    ap.add_argument("--minutes", type=float, default=None, help="stop after this long")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--render-every", type=int, default=5, help="render frame 0 of every Nth case (0: never)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per case before it is a finding")
    ap.add_argument("--budget-mb", type=float, default=1024.0, help="peak RSS per worker process above which a "
                                                                    "case is a finding")
    ap.add_argument("--kill-mb", type=float, default=1536.0, help="RSS at which a worker is stopped")
    ap.add_argument("--no-warm", dest="warm", action="store_false",
                    help="skip rendering every seed scene in each worker first (faster start; JIT time counts)")
    ap.add_argument("--recycle", type=int, default=200, help="restart a worker after this many cases")
    ap.add_argument("--out", default=str(ROOT / "tests" / "fuzz_regressions"), help="folder for findings")
    ap.add_argument("--progress", type=float, default=60.0, help="seconds between progress lines on stderr "
                                                                 "(cases done, rate, projected total; 0: none)")
    args = ap.parse_args(argv)
    if args.cases is None and args.minutes is None:
        args.cases = 1000
    sys.path.insert(0, str(ROOT / "tests"))
    import fuzzer

    deadline = None if args.minutes is None else time.monotonic() + 60 * args.minutes
    stop = None if args.cases is None else args.start + args.cases
    slots = [_Slot(args) for _ in range(max(1, args.jobs))]
    counts = {"ok": 0, "clean": 0, "bad": 0, "timeout": 0, "memory": 0, "crash": 0, "generator": 0}
    findings, seconds, peak = [], [], max(s.baseline for s in slots)
    generator_errors = []
    render_seconds = []
    nxt = args.start
    t0 = time.monotonic()

    def finding(kind, index, detail):
        counts[kind] += 1
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{kind}-{args.seed}-{index}.yaml"
        try:
            path.write_text(fuzzer.make_case(args.seed, index), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001
            path = Path(f"(not written: {exc!r})")
        findings.append({"kind": kind, "case": index, "file": str(path), "detail": detail[:500]})
        print(f"finding: {kind} case {index}: {detail[:300]}", file=sys.stderr)

    def more():
        return (stop is None or nxt < stop) and (deadline is None or time.monotonic() < deadline)

    for s in slots:
        if more():
            s.submit(nxt)
            nxt += 1
    last_note = time.monotonic()
    while any(s.index is not None for s in slots):
        now = time.monotonic()
        if args.progress and now - last_note >= args.progress:
            last_note = now
            done, el = sum(counts.values()), now - t0
            rate = done / el if el > 0 else 0.0
            left = None if deadline is None else max(0.0, deadline - now)
            proj = done + (rate * left if left is not None else 0)
            note = f"progress: {done} cases in {el / 60:.1f} min ({rate * 60:.0f}/min), peak RSS {peak:.0f} MiB"
            if stop is not None and left is not None:
                note += f"; projected {min(proj, stop - args.start):.0f} of {stop - args.start} by the time limit"
                if proj < stop - args.start:
                    note += " (too slow to finish)"
            print(note + f"; outcomes {counts}", file=sys.stderr, flush=True)
        busy = [s for s in slots if s.index is not None]
        ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.5)
        for s in busy:
            result = None
            if s.conn in ready:
                try:
                    result = s.conn.recv()
                except EOFError:
                    result = None
                if result is not None and "started" in result:
                    s.since, s.started = time.monotonic(), True
                    continue
            elif s.proc.sentinel not in ready and time.monotonic() - s.since <= (
                    args.timeout if s.started else GENERATE_TIMEOUT):
                continue
            index = s.index
            if result is None:
                if s.proc.is_alive() and not s.started:  # the generator, not symbolreel, was slow
                    counts["generator"] += 1
                    print(f"generator: case {index} not generated in {GENERATE_TIMEOUT:g} s; skipped", file=sys.stderr)
                elif s.proc.is_alive():      # past the timeout
                    finding("timeout", index, f"no result after {args.timeout:g} s")
                else:
                    code = s.proc.exitcode
                    finding("memory" if code == 3 else "crash", index,
                            f"worker ended with exit code {code}" + (" (RSS above --kill-mb)" if code == 3 else ""))
                s.restart()
            else:
                seconds.append(result["seconds"])
                if index % max(args.render_every, 1) == 0 and args.render_every:
                    render_seconds.append(result["seconds"])
                peak = max(peak, result["rss_mb"])
                if result["rss_mb"] > args.budget_mb:
                    finding("memory", index, f"peak RSS {result['rss_mb']:.0f} MiB ({result['outcome']})")
                    s.restart()
                elif result["seconds"] > args.timeout:
                    finding("timeout", index, f"{result['seconds']:.1f} s ({result['outcome']})")
                elif result["outcome"] == "bad":
                    finding("bad", index, result["detail"])
                elif result["outcome"] == "generator":  # a bug of tests/fuzzer.py: named, not a finding
                    counts["generator"] += 1
                    generator_errors.append({"case": index, "detail": result["detail"][:300]})
                    print(f"generator: case {index} raised {result['detail'][:300]}", file=sys.stderr)
                else:
                    counts[result["outcome"]] += 1
                s.done += 1
                if s.done >= args.recycle:
                    s.restart()
            s.index = None
            if more():
                s.submit(nxt)
                nxt += 1
    for s in slots:
        if s.proc.is_alive():
            s.conn.send(None)
            s.proc.join(5)
    seconds.sort()
    total = sum(counts.values())
    summary = {
        "seed": args.seed, "cases": total, "first": args.start, "jobs": len(slots),
        "wall_s": round(time.monotonic() - t0, 1), "outcomes": counts,
        "findings": findings,
        "generator_errors": generator_errors,
        "case_seconds": {"median": round(seconds[len(seconds) // 2], 3) if seconds else None,
                         "p99": round(seconds[int(len(seconds) * 0.99)], 3) if seconds else None,
                         "max": round(seconds[-1], 3) if seconds else None},
        "rendered_cases": len(render_seconds),
        "worker_baseline_rss_mb": round(max(s.baseline for s in slots), 1),
        "peak_rss_mb": round(peak, 1),
    }
    print(json.dumps(summary, indent=1))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
