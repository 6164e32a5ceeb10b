"""Font registry: the bundled, sha256-pinned fonts plus any user font files, with coverage queries.

Coverage of bundled fonts comes from ``coverage.bin`` (written by ``scripts/build_fonts.py``), so no
cmap of a bundled font is parsed at run time. User fonts (``add_path``) are read with fontTools once per
process and file identity (resolved path, size, modification time): a new ``Scene`` naming the same file
costs one ``stat``, and an edited file is read again.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import io
import json
import os
import sys
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

from symbolreel.errors import SymbolreelError

FONT_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = FONT_DIR / "manifest.json"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

# (path, expected sha256) pairs already checked in this process
_VERIFIED: set = set()
_VERIFY_LOCK = threading.Lock()


class FontError(SymbolreelError):
    """Unknown font or alias, unreadable font file, or a font file that does not match its sha256 pin."""


class MissingGlyphError(FontError):
    """No font of a fallback chain covers a character (strict mode)."""

    def __init__(self, char: str, index: int, fonts_tried, detail: str = ""):
        self.char = char
        self.index = index
        self.codepoint = ord(char)
        self.fonts_tried = list(fonts_tried)
        name = unicodedata.name(char, "unnamed")
        super().__init__(f"no font covers {char!r} (U+{self.codepoint:04X} {name}) at index {index}{detail}; "
                         f"fonts tried: {', '.join(self.fonts_tried) or '(none)'}")


@dataclass(frozen=True)
class FontRecord:
    """One registered font face. ``face_index`` selects the face inside a .ttc/.otc collection."""

    name: str
    path: Path
    sha256: str
    family: str
    style: str = "regular"
    weight: int = 400
    category: str = ""
    scripts: tuple = ()
    bundled: bool = False
    face_index: int = 0


def sha256_file(path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_identity(path) -> tuple:
    """``(size, mtime_ns)`` of a file: what decides whether a parsed font file is still current."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _verify(path: Path, expected: str, what: str) -> None:
    key = (str(path), expected)
    if key in _VERIFIED:
        return
    with _VERIFY_LOCK:
        if key in _VERIFIED:
            return
        if not path.is_file():
            raise FontError(f"font file for {what} is missing: {path}")
        actual = sha256_file(path)
        if actual != expected:
            raise FontError(f"font file for {what} does not match its sha256 pin: {path} has {actual}, expected "
                            f"{expected}. Rebuild with scripts/build_fonts.py or restore the file.")
        _VERIFIED.add(key)


@functools.lru_cache(maxsize=1)
def _manifest_text() -> str:
    return MANIFEST_PATH.read_text(encoding="utf-8")


def manifest() -> dict:
    """The bundled fonts' manifest (a fresh dict on every call: fonts, aliases, coverage index)."""
    return json.loads(_manifest_text())


# ---- character classes -------------------------------------------------------------------------------
_IGNORE, _MARK, _BASE = 0, 1, 2
_KIND_CACHE: dict = {}


def _kind(ch: str) -> int:
    """_IGNORE: whitespace, controls, format chars (ZWJ, ZWNJ, ...) and variation selectors, which
    shapers handle without the font's cmap; _MARK: combining marks; _BASE: everything else."""
    kind = _KIND_CACHE.get(ch)
    if kind is None:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if cat in ("Zs", "Zl", "Zp", "Cc", "Cf") or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF \
                or 0x180B <= cp <= 0x180F:
            kind = _IGNORE
        elif cat in ("Mn", "Mc", "Me"):
            kind = _MARK
        else:
            kind = _BASE
        _KIND_CACHE[ch] = kind
    return kind


def _attaches(ch: str) -> bool:
    """True for characters that belong to the preceding cluster: marks, joiners, variation selectors."""
    kind = _kind(ch)
    return kind == _MARK or (kind == _IGNORE and unicodedata.category(ch) not in ("Zs", "Zl", "Zp", "Cc"))


def _needed(text: str) -> set:
    """Code points of ``text`` a font must map (ignorable characters left out)."""
    return {ord(c) for c in set(text) if _kind(c) != _IGNORE}


class FontRegistry:
    """Bundled fonts (unless ``bundled=False``) plus user fonts added with :meth:`add_path`."""

    def __init__(self, bundled: bool = True):
        self._records: dict = {}
        self._coverage: dict = {}
        self._aliases: dict = {}
        self._lock = threading.RLock()
        self._cov_bytes = None
        self._cov_index: dict = {}
        self._all_cov = None  # cached [(name, frozenset)] in registry order
        self._file_ids: dict = {}  # resolved path -> ((size, mtime_ns), names added from it)
        self.generation = 0        # bumped when an alias changes (cached chains go stale)
        if bundled:
            self._load_bundled()

    # ---- loading ---------------------------------------------------------------------------------------
    def _load_bundled(self) -> None:
        data = manifest()
        for entry in data["fonts"]:
            self._records[entry["name"]] = FontRecord(
                name=entry["name"], path=FONT_DIR / entry["file"], sha256=entry["sha256"], family=entry["family"],
                style=entry["style"], weight=entry["weight"], category=entry["category"],
                scripts=tuple(entry["scripts"]), bundled=True)
            self._cov_index[entry["name"]] = tuple(entry["coverage"])
        self._aliases = {k: list(v) for k, v in data["aliases"].items()}
        self._cov_file = (FONT_DIR / data["coverage_file"], data["coverage_sha256"])

    def _bundled_coverage(self, name: str) -> frozenset:
        if self._cov_bytes is None:
            path, pin = self._cov_file
            _verify(path, pin, "coverage data")
            self._cov_bytes = path.read_bytes()
        offset, count = self._cov_index[name]
        items = array("I")
        items.frombytes(self._cov_bytes[offset * 4:(offset + count) * 4])
        if sys.byteorder != "little":
            items.byteswap()
        return frozenset(items)

    def add_path(self, path):
        """Register a user font file (returns its name: the file stem, or ``stem-N`` for face N of a
        collection) or every font file under a folder (returns the list of names, sorted by path).

        The cmap is read with fontTools and the file's sha256 becomes its pin. Adding the same file again
        returns the existing name; a different file whose stem is taken is named ``stem-<sha256[:8]>``.
        """
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FONT_SUFFIXES)
            names = []
            for f in files:
                added = self._add_file(f)
                names.extend(added)
            return names
        if not path.is_file():
            raise FontError(f"font path not found: {path}")
        added = self._add_file(path)
        return added[0] if len(added) == 1 else added

    def _add_file(self, path: Path) -> list:
        key = str(path.resolve())
        ident = file_identity(key)
        known = self._file_ids.get(key)
        if known is not None and known[0] == ident:
            return list(known[1])
        names = self._parse_file(path)
        with self._lock:
            self._file_ids[key] = (ident, tuple(names))
        return names

    def file_generation(self, path) -> tuple | None:
        """Identity ``(size, mtime_ns)`` under which a user font file was last read, or None."""
        known = self._file_ids.get(str(Path(path).resolve()))
        return None if known is None else known[0]

    def _parse_file(self, path: Path) -> list:
        from fontTools.ttLib import TTCollection, TTFont

        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        try:
            if data[:4] == b"ttcf":
                faces = TTCollection(io.BytesIO(data), lazy=True).fonts
            else:
                faces = [TTFont(io.BytesIO(data), lazy=True)]
            infos = []
            for face in faces:
                name_table = face["name"]
                family = name_table.getDebugName(16) or name_table.getDebugName(1) or path.stem
                weight = int(face["OS/2"].usWeightClass) if "OS/2" in face else 400
                cmap = face.getBestCmap() or {}
                infos.append((family, weight, frozenset(cmap)))
        except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds on malformed files
            raise FontError(f"cannot read font file {path}: {exc}") from None
        names = []
        with self._lock:
            for index, (family, weight, cov) in enumerate(infos):
                stem = path.stem if len(infos) == 1 else f"{path.stem}-{index}"
                name = stem
                existing = self._records.get(name) or self._aliases.get(name)
                if existing is not None:
                    if isinstance(existing, FontRecord) and existing.sha256 == sha and existing.face_index == index:
                        names.append(name)
                        continue
                    name = f"{stem}-{sha[:8]}"
                    other = self._records.get(name)
                    if other is not None and other.face_index == index:
                        names.append(name)
                        continue
                self._records[name] = FontRecord(name=name, path=path.resolve(), sha256=sha, family=family,
                                                 style=_style_guess(path.stem, weight), weight=weight,
                                                 bundled=False, face_index=index)
                self._coverage[name] = cov
                self._all_cov = None
                _VERIFIED.add((str(path.resolve()), sha))
                names.append(name)
        return names

    def add_alias(self, alias: str, chain) -> None:
        """Define (or redefine) an alias as a fallback chain of font names and/or other aliases."""
        with self._lock:
            if alias in self._records:
                raise FontError(f"{alias!r} is already a font name; pick another alias name")
            chain = [chain] if isinstance(chain, str) else list(chain)
            previous = self._aliases.get(alias)
            self._aliases[alias] = chain
            self.generation += 1
            try:
                self.resolve(alias)
            except FontError:
                if previous is None:
                    del self._aliases[alias]
                else:
                    self._aliases[alias] = previous
                raise

    # ---- lookups -----------------------------------------------------------------------------------------
    def names(self) -> list:
        """Font names in registry order (bundled in manifest order, then user fonts)."""
        return list(self._records)

    def aliases(self) -> dict:
        """Alias -> chain as defined (members may be aliases themselves)."""
        return {k: list(v) for k, v in self._aliases.items()}

    def _unknown(self, name) -> FontError:
        choices = list(self._records) + list(self._aliases)
        close = difflib.get_close_matches(str(name), choices, n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        return FontError(f"unknown font or alias {name!r}{hint}; known aliases: {', '.join(sorted(self._aliases))}")

    def record(self, name: str) -> FontRecord:
        """The :class:`FontRecord` of a font name (not an alias)."""
        rec = self._records.get(name)
        if rec is None:
            if name in self._aliases:
                raise FontError(f"{name!r} is an alias, not a font; resolve() it to a chain of fonts")
            raise self._unknown(name)
        return rec

    def font_path(self, name: str) -> Path:
        """Path of a font file, checked against its sha256 pin (once per process)."""
        rec = self.record(name)
        _verify(rec.path, rec.sha256, f"font {name!r}")
        return rec.path

    def resolve(self, name_or_alias) -> list:
        """Fallback chain of font names: a font name gives ``[name]``, an alias its expanded chain."""
        if isinstance(name_or_alias, (list, tuple)):
            out = []
            for item in name_or_alias:
                out.extend(n for n in self.resolve(item) if n not in out)
            return out
        return self._expand(name_or_alias, ())

    def _expand(self, name, stack) -> list:
        if name in self._records:
            return [name]
        if name not in self._aliases:
            raise self._unknown(name)
        if name in stack:
            raise FontError(f"alias cycle: {' -> '.join((*stack, name))}")
        out = []
        for item in self._aliases[name]:
            for n in self._expand(item, (*stack, name)):
                if n not in out:
                    out.append(n)
        return out

    # ---- coverage ----------------------------------------------------------------------------------------
    def coverage(self, name: str) -> frozenset:
        """Code points the font's cmap maps."""
        cov = self._coverage.get(name)
        if cov is None:
            self.record(name)  # raises a clear error for unknown names
            cov = self._coverage[name] = self._bundled_coverage(name)
        return cov

    def covers(self, font: str, text: str) -> bool:
        """True when ``font`` maps every character of ``text`` (whitespace/controls/format chars ignored)."""
        return _needed(text) <= self.coverage(font)

    def fonts_covering(self, text: str) -> list:
        """Names of all registered fonts that each cover every character of ``text``, in registry order."""
        need = _needed(text)
        table = self._all_cov
        if table is None:
            table = self._all_cov = [(n, self.coverage(n)) for n in list(self._records)]
        return [name for name, cov in table if need <= cov]

    def missing(self, chain, text: str) -> list:
        """Distinct characters of ``text`` (first-seen order) that no font of ``chain`` covers."""
        covs = [self.coverage(n) for n in self.resolve(chain)]
        out, seen = [], set()
        for ch in text:
            if ch in seen:
                continue
            seen.add(ch)
            if _kind(ch) != _IGNORE and not any(ord(ch) in c for c in covs):
                out.append(ch)
        return out

    def assign(self, text: str, chain, mode: str = "strict"):
        """Split ``text`` into font runs: ``(runs, substitutions)``.

        ``runs`` is a list of ``(start, end, font_name)`` covering the whole text. A cluster (a base
        character and the combining marks / joiners / variation selectors after it) goes to the first
        font of the chain covering all of it; whitespace and control characters join the current run.
        ``mode='strict'`` raises :class:`MissingGlyphError` for a character no font covers;
        ``mode='lenient'`` puts it in the first font of the chain and lists it in ``substitutions``
        (dicts with index, char, codepoint, fonts_tried).
        """
        if mode not in ("strict", "lenient"):
            raise ValueError(f"mode must be 'strict' or 'lenient', not {mode!r}")
        names = self.resolve(chain)
        if not names:
            raise FontError(f"empty font chain {chain!r}")
        covs = [self.coverage(n) for n in names]
        if text and _needed(text) <= covs[0]:
            # the first font covers everything (most text): every cluster would pick it
            return [(0, len(text), names[0])], []
        runs: list = []
        subs: list = []
        cur = -1          # index into names of the current run's font
        run_start = 0
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            kind = _kind(ch)
            if kind == _IGNORE or (kind == _MARK and cur >= 0 and ord(ch) in covs[cur]):
                i += 1
                continue
            j = i + 1
            while j < n and _attaches(text[j]):
                j += 1
            need = [k for k in range(i, j) if _kind(text[k]) != _IGNORE]
            font = self._pick(text, need, covs)
            if font < 0:
                font = self._fallback(text, need, names, covs, mode, subs)
            if font != cur:
                if cur >= 0:
                    runs.append((run_start, i, names[cur]))
                    run_start = i
                cur = font
            i = j
        if n:
            runs.append((run_start, n, names[cur if cur >= 0 else 0]))
        return runs, subs

    @staticmethod
    def _pick(text, need, covs) -> int:
        cps = [ord(text[k]) for k in need]
        for f, cov in enumerate(covs):
            if all(cp in cov for cp in cps):
                return f
        return -1

    @staticmethod
    def _fallback(text, need, names, covs, mode, subs) -> int:
        """No single font covers the cluster: report what is missing, then pick a font for it."""
        base = ord(text[need[0]])
        font = next((f for f, cov in enumerate(covs) if base in cov), 0)
        for k in need:
            cp = ord(text[k])
            if cp in covs[font]:
                continue
            anywhere = any(cp in cov for cov in covs)
            detail = f" together with {text[need[0]]!r} in {names[font]!r}" if anywhere else ""
            if mode == "strict":
                raise MissingGlyphError(text[k], k, names, detail)
            subs.append({"index": k, "char": text[k], "codepoint": cp, "fonts_tried": list(names),
                         "font": names[font]})
        return font


def _style_guess(stem: str, weight: int) -> str:
    low = stem.lower()
    italic = "italic" in low or "oblique" in low
    bold = weight >= 600 or "bold" in low
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic",
            (True, True): "bold-italic"}[(bold, italic)]


@functools.lru_cache(maxsize=1)
def default_registry() -> FontRegistry:
    """The process-wide registry (bundled fonts; user fonts added to it stay for the process)."""
    return FontRegistry()
