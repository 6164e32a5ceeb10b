"""``symbolreel verify DIR``: check every shard of a generated dataset against its manifest.

Checks: the index files are present and the run is finished (no unit records or temporary files
left); the shards on disk, in SHA256SUMS, in index.json and in the manifest are the same set; every
shard's sha256, size and item count; every item's members (names, sizes, sha256), their contiguity
and order, the item's shard and offset; keys and seeds follow from the recipe (item i has key
``item_key(i)`` and seed ``item_seed(seed, i)``, for i in 0..count-1); each JSON member parses and
names its item; each item has its picture (``png`` for stills, ``mp4`` for clips).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import INDEX, MANIFEST, SUMS, read_manifest, read_sums
from .seeding import item_key, item_seed
from .shards import read_items

__all__ = ["VerifyReport", "verify"]


@dataclass
class VerifyReport:
    out_dir: str
    items: int = 0
    shards: int = 0
    bytes: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (f"{self.out_dir}: ok ({self.items} items in {self.shards} shards, "
                    f"{self.bytes / 1e6:.1f} MB)")
        shown = "\n  ".join(self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        return f"{self.out_dir}: {len(self.problems)} problem(s):\n  {shown}{more}"


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(out_dir) -> VerifyReport:
    """Check the dataset in ``out_dir``; the report lists every problem found (none: ``ok``)."""
    from .recipe import load_recipe
    from .runner import RECIPE_FILE, UNITS_DIR

    out = Path(out_dir)
    rep = VerifyReport(str(out))
    bad = rep.problems.append
    for name in (RECIPE_FILE, MANIFEST, SUMS, INDEX):
        if not (out / name).is_file():
            bad(f"{name}: missing (is this a finished symbolreel dataset?)")
    if rep.problems:
        return rep
    if (out / UNITS_DIR).exists():
        bad(f"{UNITS_DIR}/: the run did not finish; finish it with symbolreel generate ... --resume")
    for p in out.iterdir():
        if p.name.startswith(".") and ".partial-" in p.name:
            bad(f"{p.name}: a temporary file of an unfinished write")
    try:
        recipe = load_recipe(out / RECIPE_FILE)
        rows = read_manifest(out)
        sums = read_sums(out)
        with open(out / INDEX, encoding="utf-8") as fh:
            index = {s["url"]: s for s in json.load(fh)["shardlist"]}
    except Exception as exc:                       # unreadable index files: nothing else can be checked
        bad(f"cannot read the index files: {type(exc).__name__}: {exc}")
        return rep

    on_disk = {p.name for p in out.glob(f"{recipe.shard_prefix}-*.tar")}
    in_rows = {r["shard"] for r in rows}
    for what, names in (("on disk", on_disk), ("in index.json", set(index)), ("in the manifest", in_rows)):
        if names != set(sums):
            extra, missing = sorted(names - set(sums)), sorted(set(sums) - names)
            bad(f"shards {what} differ from {SUMS}: extra {extra[:5]}, missing {missing[:5]}")

    if len(rows) != recipe.count:
        bad(f"{MANIFEST}: {len(rows)} rows, the recipe has count {recipe.count}")
    by_key = {}
    for pos, r in enumerate(rows):
        i = r["index"]
        if i != pos:
            bad(f"{MANIFEST} row {pos}: index {i}, expected {pos} (rows in index order, none missing)")
        if r["key"] != item_key(i):
            bad(f"item {i}: key {r['key']!r}, expected {item_key(i)!r}")
        if r["seed"] != item_seed(recipe.seed, i):
            bad(f"item {r['key']}: seed {r['seed']} is not the seed of item {i} under master seed {recipe.seed}")
        by_key[r["key"]] = r

    seen = set()
    for name in sorted(set(sums) & on_disk):
        path = out / name
        rep.shards += 1
        rep.bytes += path.stat().st_size
        if _sha_file(path) != sums[name]:
            bad(f"{name}: sha256 differs from {SUMS} (the shard changed or is damaged)")
        entry = index.get(name, {})
        if entry.get("filesize") not in (None, path.stat().st_size):
            bad(f"{name}: {path.stat().st_size} bytes, index.json says {entry.get('filesize')}")
        count = 0
        try:
            for key, members, offset in read_items(path):
                count += 1
                _check_item(name, key, members, offset, by_key, seen, bad)
        except Exception as exc:
            bad(f"{name}: not a readable tar of items: {type(exc).__name__}: {exc}")
            continue
        if entry.get("nsamples") not in (None, count):
            bad(f"{name}: {count} items, index.json says {entry.get('nsamples')}")
    rep.items = len(seen)
    for key in sorted(set(by_key) - seen):
        if by_key[key]["shard"] in on_disk:
            bad(f"item {key}: in the manifest (shard {by_key[key]['shard']}) but not in the shard")
    return rep


def _check_item(shard, key, members, offset, by_key, seen, bad) -> None:
    row = by_key.get(key)
    if row is None:
        bad(f"{shard}: item {key} is not in the manifest")
        return
    if key in seen:
        bad(f"item {key}: found in more than one place")
    seen.add(key)
    if row["shard"] != shard or row["offset"] != offset:
        bad(f"item {key}: found in {shard} at byte {offset}, the manifest says {row['shard']} at {row['offset']}")
    want = {m["name"]: m for m in row["members"]}
    if set(want) != set(members):
        bad(f"item {key}: members {sorted(members)}, the manifest lists {sorted(want)}")
    for ext, data in members.items():
        m = want.get(ext)
        if m is not None and (m["bytes"] != len(data) or m["sha256"] != hashlib.sha256(data).hexdigest()):
            bad(f"item {key}: member {key}.{ext} differs from the manifest (size or sha256)")
    picture = "png" if row["media"] == "still" else "mp4"
    if picture not in members:
        bad(f"item {key}: a {row['media']} without its {key}.{picture} member")
    try:
        doc = json.loads(members.get("json", b"").decode("utf-8"))
        if doc.get("key") != key or doc.get("index") != row["index"] or doc.get("seed") != row["seed"]:
            bad(f"item {key}: {key}.json names key {doc.get('key')!r}, index {doc.get('index')}, "
                f"seed {doc.get('seed')}; the manifest says {key}, {row['index']}, {row['seed']}")
    except (ValueError, UnicodeDecodeError) as exc:
        bad(f"item {key}: {key}.json is not valid JSON ({exc})")


def main_verify(out_dir) -> int:
    """CLI body: print the report; 0 when the dataset verifies, 1 otherwise."""
    import sys

    if not os.path.isdir(out_dir):
        print(f"error: {out_dir}: no such folder", file=sys.stderr)
        return 2
    rep = verify(out_dir)
    print(rep.summary(), file=sys.stdout if rep.ok else sys.stderr)
    return 0 if rep.ok else 1
