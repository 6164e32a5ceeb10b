"""The dataset's index files: a Parquet manifest (one row per item), the shards' sha256 list and a
``wids``-style JSON index for random access.

Files in the output folder (all written atomically, all deterministic):

- ``manifest.parquet``: key, index, shard, offset (byte offset of the item's first tar header),
  domain, media, width, height, frames, fps, seed, caption (short, English), caption_zh, captions
  (every caption as JSON), text (the rendered strings), languages, members (name, bytes, sha256 of
  every member of the item).
- ``SHA256SUMS``: ``<sha256>  <shard>`` per shard, readable by ``sha256sum -c``.
- ``index.json``: ``{"__kind__": "wids-shard-index-v1", "wids_version": 1, "shardlist": [{"url",
  "nsamples", "filesize"}]}`` with shard names relative to the folder.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from symbolreel.sinks import atomic_output

__all__ = ["MANIFEST", "SUMS", "INDEX", "manifest_schema", "write_index_files", "read_manifest", "read_sums"]

MANIFEST = "manifest.parquet"
SUMS = "SHA256SUMS"
INDEX = "index.json"


def manifest_schema():
    import pyarrow as pa

    member = pa.struct([("name", pa.string()), ("bytes", pa.int64()), ("sha256", pa.string())])
    return pa.schema([
        ("key", pa.string()), ("index", pa.int64()), ("shard", pa.string()), ("offset", pa.int64()),
        ("domain", pa.string()), ("media", pa.string()), ("width", pa.int32()), ("height", pa.int32()),
        ("frames", pa.int32()), ("fps", pa.float64()), ("seed", pa.int64()),
        ("caption", pa.string()), ("caption_zh", pa.string()), ("captions", pa.string()),
        ("text", pa.list_(pa.string())), ("languages", pa.list_(pa.string())),
        ("members", pa.list_(member)),
    ])


def _write_text(path: Path, text: str) -> None:
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def write_index_files(out_dir, rows: list, shards: list) -> None:
    """Write the manifest (rows sorted by index), SHA256SUMS and index.json (shards sorted by name)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    rows = sorted(rows, key=lambda r: r["index"])
    shards = sorted(shards, key=lambda s: s["name"])
    table = pa.Table.from_pylist(rows, schema=manifest_schema())
    with atomic_output(out_dir / MANIFEST) as tmp:
        # fixed options: the same rows give the same bytes (for one pyarrow version)
        pq.write_table(table, tmp, compression="zstd", row_group_size=65536, use_dictionary=True)
    _write_text(out_dir / SUMS, "".join(f"{s['sha256']}  {s['name']}\n" for s in shards))
    index = {"__kind__": "wids-shard-index-v1", "wids_version": 1,
             "shardlist": [{"url": s["name"], "nsamples": s["items"], "filesize": s["bytes"]} for s in shards]}
    _write_text(out_dir / INDEX, json.dumps(index, indent=1) + "\n")


def read_manifest(out_dir) -> list:
    """Manifest rows as dicts, in index order."""
    import pyarrow.parquet as pq

    return pq.read_table(os.path.join(out_dir, MANIFEST)).to_pylist()


def read_sums(out_dir) -> dict:
    """``{shard name: sha256}`` from SHA256SUMS."""
    out = {}
    with open(os.path.join(out_dir, SUMS), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            digest, sep, name = line.rstrip("\n").partition("  ")
            if not sep or len(digest) != 64:
                raise ValueError(f"{SUMS}:{n}: expected '<sha256>  <shard name>', found {line.strip()!r}")
            out[name] = digest
    return out
