"""symbolreel.datasets: seeded recipes -> captioned, labelled dataset items in WebDataset shards.

::

    from symbolreel import datasets
    datasets.generate("tiny", "out/tiny")                  # a shipped preset, or a recipe file / Recipe
    datasets.generate("my_recipe.yaml", "out/d", count=1000, workers=4)
    report = datasets.verify("out/d"); assert report.ok

Item i is a pure function of (recipe, master seed, i): the same recipe gives the same shard bytes
with any worker count, on the local pool or on Ray, and after an interrupted run is resumed.
See docs/datasets.md for the recipe format and the output layout.
"""
from __future__ import annotations

import os

from .items import Item, ItemError, make_item
from .recipe import Recipe, RecipeError, load_preset, load_recipe, loads_recipe, preset_names, recipe_schema
from .runner import GenerateError, GenerateResult, OutputFolderError
from .verify import VerifyReport, verify

__all__ = ["generate", "generate_only", "resolve_recipe", "verify", "make_item", "Item", "ItemError", "Recipe",
           "RecipeError", "GenerateError", "OutputFolderError", "GenerateResult", "VerifyReport", "load_recipe", "loads_recipe",
           "load_preset", "preset_names", "recipe_schema"]


def resolve_recipe(recipe, count: int | None = None, seed: int | None = None) -> Recipe:
    """A :class:`Recipe` from a Recipe, a recipe file path or a preset name, with overrides applied."""
    if isinstance(recipe, Recipe):
        r = recipe
    elif isinstance(recipe, str) and not os.path.exists(recipe) and recipe in preset_names():
        r = load_preset(recipe)
    else:
        r = load_recipe(recipe)
    changes = {}
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RecipeError(f"expected a whole number >= 1, found {count!r}", ("count",), "--count")
        changes["count"] = count
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise RecipeError(f"expected a whole number 0 .. 2**63-1, found {seed!r}", ("seed",), "--seed")
        changes["seed"] = seed
    return r.replace(**changes) if changes else r


def generate(recipe, out_dir, *, count: int | None = None, seed: int | None = None, workers: int | None = None,
             resume: bool = False, backend: str = "local", address: str | None = None,
             progress: bool = False) -> GenerateResult:
    """Generate a dataset into ``out_dir`` (the Python twin of ``symbolreel generate``).

    ``recipe``: a :class:`Recipe`, a recipe file or a preset name (see :func:`preset_names`).
    ``count`` / ``seed`` override the recipe's. ``workers``: processes (default: one per core) or
    Ray CPUs. ``resume``: finish an interrupted run in ``out_dir`` (only unfinished shards are
    recomputed). ``backend``: ``"local"`` (process pool) or ``"ray"`` (``address`` of a cluster,
    or a local Ray when None). Raises :class:`GenerateError` listing failed items (key, seed,
    ``--only``) after every other unit has finished.
    """
    from .runner import run

    return run(resolve_recipe(recipe, count, seed), out_dir, workers=workers, resume=resume, backend=backend,
               address=address, progress=progress)


def generate_only(recipe, indices, out_dir, *, count: int | None = None, seed: int | None = None) -> list:
    """Regenerate items ``indices`` alone and write their members as files ``out_dir/KEY.EXT``; the
    bytes equal the members in the shards. When ``out_dir`` holds a finished run (its manifest), each
    regenerated item is compared with the manifest's sha256 of every member first, and a difference (a
    changed recipe, seed, font, background picture or library version) raises :class:`GenerateError`
    before anything is written. Returns the written paths."""
    import hashlib
    from pathlib import Path

    from symbolreel.sinks import atomic_output

    from .manifest import MANIFEST, read_manifest

    r = resolve_recipe(recipe, count, seed)
    out = Path(out_dir)
    rows = {}
    if (out / MANIFEST).is_file():
        rows = {row["index"]: row for row in read_manifest(out)}
    paths = []
    for i in indices:
        if not 0 <= int(i) < r.count:
            raise RecipeError(f"--only {i}: the recipe has items 0..{r.count - 1}", ("count",), "--only")
        item = make_item(r, int(i))
        row = rows.get(int(i))
        if row is not None:
            made = {ext: hashlib.sha256(data).hexdigest() for ext, data in item.members.items()}
            stored = {m["name"]: m["sha256"] for m in row["members"]}
            if made != stored:
                differ = sorted(n for n in set(made) | set(stored) if made.get(n) != stored.get(n))
                raise GenerateError(f"--only {i}: item {item.key} regenerated differs from the one in "
                                    f"{out / MANIFEST} ({', '.join(differ)}): the recipe, the seed, a font, a "
                                    f"background picture or the library changed since the run")
        for ext, data in sorted(item.members.items()):
            path = out / f"{item.key}.{ext}"
            with atomic_output(path) as tmp:
                tmp.write_bytes(data)
            paths.append(path)
    return paths
