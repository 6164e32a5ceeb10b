"""``--backend ray``: the local pool's work units as Ray tasks, on one machine or a cluster.

Each task runs :func:`symbolreel.datasets.runner.run_unit` on one unit, exactly as a local pool
worker does, so the shards are byte-identical to the local pool's. Without an address a local Ray
is started with ``workers`` CPUs (and shut down afterwards); with one (``auto``, ``ray://...``,
``host:port``) the tasks go to that cluster, whose nodes need symbolreel installed and the output
folder mounted at the same path. ``ray`` is the optional extra ``symbolreel[ray]``.
"""
from __future__ import annotations

import os

from .runner import GenerateError, _progress_bar, describe_failure, run_unit

__all__ = ["run_ray"]


def _import_ray():
    try:
        import ray
    except ImportError:
        raise GenerateError("--backend ray needs the ray package: pip install 'symbolreel[ray]'") from None
    return ray


def run_ray(recipe, todo: list, out_dir, workers: int, address: str | None, progress: bool):
    """Run ``todo`` units as Ray tasks; returns ``({unit: record}, [failure messages])``."""
    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address is None:
            kwargs["num_cpus"] = workers
        ray.init(address=address, **kwargs)
        started = True
    task = ray.remote(num_cpus=1, max_retries=0)(_unit_task)
    out = os.path.abspath(os.fspath(out_dir))
    bar = _progress_bar(sum(u.count for u in todo), progress)
    records, failures = {}, []
    try:
        pending = {task.remote(recipe, u, out): u for u in todo}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                u = pending.pop(ref)
                try:
                    records[u.unit] = ray.get(ref)
                except Exception as exc:       # a RayTaskError wraps the worker's exception
                    cause = getattr(exc, "cause", None) or exc
                    failures.append(describe_failure(u, cause))
                if bar is not None:
                    bar.update(u.count)
    finally:
        if bar is not None:
            bar.close()
        if started:
            ray.shutdown()
    return records, failures


def _unit_task(recipe, unit, out_dir):
    return run_unit(recipe, unit, out_dir)
