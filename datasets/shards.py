"""WebDataset tar shards with deterministic bytes.

Every member header is fixed (mtime 0, mode 0644, uid/gid 0, empty owner names, ustar format), an
item's members are written together in sorted name order, and items follow in index order, so the
same items give the same shard bytes on any machine and with any number of workers. A shard is
written under a hidden temporary name and renamed when complete; its sha256 is computed while it
is written.

One work unit (a range of item indices) writes ``<prefix>-<unit>-<part>.tar``: part 0, and further
parts only when ``max_bytes`` would be exceeded (the cut depends only on the items' sizes, so it is
deterministic too).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from symbolreel.sinks import atomic_output

__all__ = ["ShardWriter", "ShardInfo", "tar_member_size", "shard_name", "deterministic_tarinfo", "read_items"]

BLOCK = tarfile.BLOCKSIZE
_END = 2 * BLOCK + tarfile.RECORDSIZE      # end-of-archive blocks plus the worst-case record padding


def shard_name(prefix: str, unit: int, part: int) -> str:
    return f"{prefix}-{unit:06d}-{part:02d}.tar"


def tar_member_size(nbytes: int) -> int:
    """Bytes one member takes in a ustar archive: its header block plus the data padded to blocks."""
    return BLOCK + -(-nbytes // BLOCK) * BLOCK


def deterministic_tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


@dataclass(frozen=True)
class ShardInfo:
    name: str
    sha256: str
    bytes: int
    items: int


class _HashingFile:
    """Write-through file wrapper that hashes and counts what passes."""

    def __init__(self, fh):
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.fh.write(data)

    def tell(self) -> int:
        return self.size


class _OpenShard:
    def __init__(self, path: Path):
        self.path = path
        self._stack = contextlib.ExitStack()
        tmp = self._stack.enter_context(atomic_output(path))
        self._raw = self._stack.enter_context(open(tmp, "wb"))
        self.file = _HashingFile(self._raw)
        self.tar = tarfile.open(fileobj=self.file, mode="w", format=tarfile.USTAR_FORMAT)
        self.items = 0

    def add(self, key: str, members: dict) -> int:
        """Append one item; return the byte offset of its first header."""
        offset = self.tar.offset
        for ext in sorted(members):
            data = members[ext]
            self.tar.addfile(deterministic_tarinfo(f"{key}.{ext}", len(data)), io.BytesIO(data))
        self.items += 1
        return offset

    def close(self) -> ShardInfo:
        self.tar.close()                       # end blocks and record padding
        info = ShardInfo(self.path.name, self.file.sha.hexdigest(), self.file.size, self.items)
        self._stack.close()                    # closes the file, renames it onto its real name
        return info

    def abort(self, exc: BaseException) -> None:
        with contextlib.suppress(Exception):
            self.tar.close()
        self._stack.__exit__(type(exc), exc, exc.__traceback__)


class ShardWriter:
    """Items of one work unit into one or more shards: ``add(key, {ext: bytes})``, then ``close()``.

    Used as a context manager, an exception deletes the shard being written (shards already
    completed stay; a resume recomputes the whole unit anyway).
    """

    def __init__(self, out_dir, prefix: str, unit: int, max_bytes: int):
        self.out_dir, self.prefix, self.unit, self.max_bytes = Path(out_dir), prefix, unit, max_bytes
        self.done: list = []
        self._open: _OpenShard | None = None
        self._size = 0

    def add(self, key: str, members: dict) -> tuple:
        """Append an item; return ``(shard name, offset of its first header)``."""
        if "." in key or "/" in key or not key:
            raise ValueError(f"shard key {key!r}: keys must be non-empty and hold no '.' or '/'")
        need = sum(tar_member_size(len(v)) for v in members.values())
        if self._open is not None and self._open.items and self._size + need + _END > self.max_bytes:
            self.done.append(self._open.close())
            self._open = None
        if self._open is None:
            self._open = _OpenShard(self.out_dir / shard_name(self.prefix, self.unit, len(self.done)))
            self._size = 0
        offset = self._open.add(key, members)
        self._size += need
        return self._open.path.name, offset

    def close(self) -> list:
        """Finish the last shard; return every shard's :class:`ShardInfo`."""
        if self._open is not None:
            self.done.append(self._open.close())
            self._open = None
        return list(self.done)

    def abort(self, exc: BaseException | None = None) -> None:
        if self._open is not None:
            self._open.abort(exc or RuntimeError("shard aborted"))
            self._open = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort(exc)
        return False


def read_items(path):
    """Yield ``(key, {ext: bytes}, offset)`` of a shard, grouping consecutive members of one key.

    Raises ``ValueError`` when an item's members are not contiguous (a key seen again later).
    """
    seen: set = set()
    current, members, offset = None, {}, 0
    with tarfile.open(path, mode="r:") as tar:
        for info in tar:
            if not info.isfile():
                raise ValueError(f"{path}: member {info.name!r} is not a regular file")
            key, _, ext = info.name.partition(".")
            if key != current:
                if current is not None:
                    yield current, members, offset
                if key in seen:
                    raise ValueError(f"{path}: members of item {key} are not contiguous")
                seen.add(key)
                current, members, offset = key, {}, info.offset
            members[ext] = tar.extractfile(info).read()
        if current is not None:
            yield current, members, offset
