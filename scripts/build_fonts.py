#!/usr/bin/env python3
"""Rebuild the bundled font set in ``fonts/`` from pinned Debian packages.

Usage (from the repository root)::

    .venv/bin/python scripts/build_fonts.py            # download the pinned .deb files and rebuild
    .venv/bin/python scripts/build_fonts.py --debs DIR # use .deb files already in DIR (no download)
    .venv/bin/python scripts/build_fonts.py --check    # rebuild into a temp dir, compare with fonts/

Steps: fetch every source package at its pinned version (``apt-get download PKG=VERSION``), check the
.deb against its pinned sha256, unpack it with ``dpkg-deb -x``, copy Latin/script fonts byte for byte,
extract the Simplified Chinese face from the Noto CJK collections and subset the CJK fonts with
fontTools (all OpenType layout features kept), rename the subset LXGW WenKai (its licence reserves
the name), then write ``manifest.json`` (metadata, licences, provenance, sha256 pins, aliases),
``coverage.bin`` (each font's mapped code points) and ``charsets.json`` (the hanzi lists used).

Output is deterministic: the same packages give byte-identical files (no timestamps are refreshed).
"""
from __future__ import annotations

import argparse
import bz2
import filecmp
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "fonts"

# Source packages: name -> (version, sha256 of the .deb). Bump both together, then rebuild.
PACKAGES = {
    "fonts-noto-core": ("20201225-1", "58f4f0bb6720f919f92096b3508e1412a0f1544424ade6c5b5bf1eb694dd64ba"),
    "fonts-noto-mono": ("20201225-1", "0807ec6454a6f66892159e7939a5c919ac28332e11d54ea78778577d9c569a59"),
    "fonts-noto-cjk": ("1:20220127+repack1-1", "4a2515eb6db3978b897fef9709ed0d2b1f4c6c4df4d83d6c4ef65f71f1b1f502"),
    "fonts-lxgw-wenkai": ("1.250+repack-1", "6d1e4c4aac78ad32062aefa2c836ee4d6e58f9dcf8b3f4407c9eefe304615318"),
    "fonts-liberation2": ("2.1.5-1", "35ffaa54f117e633e89a5da89af235a073b34dbe582726fbf6989568f7fd9bda"),
    "fonts-stix": ("1.1.1-4.1", "d84b45ed9f8d53686e68e36d4442710e8cd13645fdb7f8bd6418354fc336182b"),
    "unicode-data": ("15.0.0-1", "5efef23bbb1c6a133ecbdd63a2cfa07159ccacf5466a49e2426101c5ecd691fc"),
}

# SPDX-style licence id of each font package (all verified against the package's copyright file).
LICENCES = {
    "fonts-noto-core": "OFL-1.1",
    "fonts-noto-mono": "OFL-1.1",
    "fonts-noto-cjk": "OFL-1.1",
    "fonts-lxgw-wenkai": "OFL-1.1",
    "fonts-liberation2": "OFL-1.1",
    "fonts-stix": "OFL-1.1",
}

LATIN = ["Latn", "Grek", "Cyrl"]
NOTO = "usr/share/fonts/truetype/noto/"
NOTO_CJK = "usr/share/fonts/opentype/noto/"
LIBERATION = "usr/share/fonts/truetype/liberation2/"


@dataclass
class Spec:
    """One shipped font: where it comes from and how it is described."""

    name: str
    package: str
    member: str                 # path inside the package
    style: str                  # regular | bold | italic | bold-italic
    category: str               # sans | serif | mono | kai | math
    scripts: list
    face_family: str = ""       # for collections: the family of the face to extract
    subset: bool = False        # CJK subset (see unicodes())
    rename: dict = field(default_factory=dict)  # new family / PostScript names (reserved-name clause)
    note: str = ""

    @property
    def ext(self) -> str:
        if self.face_family:
            return ".otf"       # faces of the Noto CJK collections are CFF-flavoured
        return Path(self.member).suffix.lower()

    @property
    def file(self) -> str:
        return self.name + self.ext


SPECS = [
    Spec("noto-sans", "fonts-noto-core", NOTO + "NotoSans-Regular.ttf", "regular", "sans", LATIN),
    Spec("noto-sans-bold", "fonts-noto-core", NOTO + "NotoSans-Bold.ttf", "bold", "sans", LATIN),
    Spec("noto-sans-italic", "fonts-noto-core", NOTO + "NotoSans-Italic.ttf", "italic", "sans", LATIN),
    Spec("noto-sans-bold-italic", "fonts-noto-core", NOTO + "NotoSans-BoldItalic.ttf", "bold-italic", "sans", LATIN),
    Spec("noto-serif", "fonts-noto-core", NOTO + "NotoSerif-Regular.ttf", "regular", "serif", LATIN),
    Spec("noto-serif-bold", "fonts-noto-core", NOTO + "NotoSerif-Bold.ttf", "bold", "serif", LATIN),
    Spec("noto-serif-italic", "fonts-noto-core", NOTO + "NotoSerif-Italic.ttf", "italic", "serif", LATIN),
    Spec("noto-serif-bold-italic", "fonts-noto-core", NOTO + "NotoSerif-BoldItalic.ttf", "bold-italic", "serif",
         LATIN),
    Spec("noto-sans-mono", "fonts-noto-mono", NOTO + "NotoSansMono-Regular.ttf", "regular", "mono", LATIN),
    Spec("noto-sans-mono-bold", "fonts-noto-mono", NOTO + "NotoSansMono-Bold.ttf", "bold", "mono", LATIN),
    Spec("liberation-mono", "fonts-liberation2", LIBERATION + "LiberationMono-Regular.ttf", "regular", "mono", LATIN,
         note="monospace family with italics (Noto Sans Mono has none)"),
    Spec("liberation-mono-bold", "fonts-liberation2", LIBERATION + "LiberationMono-Bold.ttf", "bold", "mono", LATIN),
    Spec("liberation-mono-italic", "fonts-liberation2", LIBERATION + "LiberationMono-Italic.ttf", "italic", "mono",
         LATIN),
    Spec("liberation-mono-bold-italic", "fonts-liberation2", LIBERATION + "LiberationMono-BoldItalic.ttf",
         "bold-italic", "mono", LATIN),
    Spec("noto-sans-sc", "fonts-noto-cjk", NOTO_CJK + "NotoSansCJK-Regular.ttc", "regular", "sans", ["Hans"],
         face_family="Noto Sans CJK SC", subset=True),
    Spec("noto-sans-sc-bold", "fonts-noto-cjk", NOTO_CJK + "NotoSansCJK-Bold.ttc", "bold", "sans", ["Hans"],
         face_family="Noto Sans CJK SC", subset=True),
    Spec("noto-serif-sc", "fonts-noto-cjk", NOTO_CJK + "NotoSerifCJK-Regular.ttc", "regular", "serif", ["Hans"],
         face_family="Noto Serif CJK SC", subset=True),
    Spec("noto-serif-sc-bold", "fonts-noto-cjk", NOTO_CJK + "NotoSerifCJK-Bold.ttc", "bold", "serif", ["Hans"],
         face_family="Noto Serif CJK SC", subset=True),
    Spec("wenkai", "fonts-lxgw-wenkai", "usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", "regular",
         "kai", ["Hans"], subset=True,
         rename={"family": "Symbolreel Kai", "postscript": "SymbolreelKai-Regular"},
         note="subset of LXGW WenKai 1.250, renamed because the OFL reserves the names LXGW and 霞鹜"),
    Spec("stix-math", "fonts-stix", "usr/share/fonts/opentype/stix-word/STIXMath-Regular.otf", "regular", "math",
         ["Zmth", "Latn", "Grek"], note="has an OpenType MATH table"),
    Spec("noto-sans-arabic", "fonts-noto-core", NOTO + "NotoSansArabic-Regular.ttf", "regular", "sans", ["Arab"]),
    Spec("noto-sans-arabic-bold", "fonts-noto-core", NOTO + "NotoSansArabic-Bold.ttf", "bold", "sans", ["Arab"]),
    Spec("noto-sans-hebrew", "fonts-noto-core", NOTO + "NotoSansHebrew-Regular.ttf", "regular", "sans", ["Hebr"]),
    Spec("noto-sans-hebrew-bold", "fonts-noto-core", NOTO + "NotoSansHebrew-Bold.ttf", "bold", "sans", ["Hebr"]),
    Spec("noto-sans-devanagari", "fonts-noto-core", NOTO + "NotoSansDevanagari-Regular.ttf", "regular", "sans",
         ["Deva"]),
    Spec("noto-sans-devanagari-bold", "fonts-noto-core", NOTO + "NotoSansDevanagari-Bold.ttf", "bold", "sans",
         ["Deva"]),
]

_SCRIPTS = ["noto-sans-arabic", "noto-sans-hebrew", "noto-sans-devanagari"]
_SCRIPTS_BOLD = [n + "-bold" for n in _SCRIPTS]

# Alias -> fallback chain (font names only). The first font that covers a character draws it.
ALIASES = {
    "sans": ["noto-sans", "noto-sans-sc", *_SCRIPTS, "stix-math"],
    "sans-bold": ["noto-sans-bold", "noto-sans-sc-bold", *_SCRIPTS_BOLD, "stix-math"],
    "sans-italic": ["noto-sans-italic", "noto-sans-sc", *_SCRIPTS, "stix-math"],
    "sans-bold-italic": ["noto-sans-bold-italic", "noto-sans-sc-bold", *_SCRIPTS_BOLD, "stix-math"],
    "serif": ["noto-serif", "noto-serif-sc", *_SCRIPTS, "stix-math"],
    "serif-bold": ["noto-serif-bold", "noto-serif-sc-bold", *_SCRIPTS_BOLD, "stix-math"],
    "serif-italic": ["noto-serif-italic", "noto-serif-sc", *_SCRIPTS, "stix-math"],
    "serif-bold-italic": ["noto-serif-bold-italic", "noto-serif-sc-bold", *_SCRIPTS_BOLD, "stix-math"],
    "mono": ["noto-sans-mono", "noto-sans-sc", *_SCRIPTS, "stix-math"],
    "mono-bold": ["noto-sans-mono-bold", "noto-sans-sc-bold", *_SCRIPTS_BOLD, "stix-math"],
    "mono-italic": ["liberation-mono-italic", "noto-sans-mono", "noto-sans-sc", *_SCRIPTS, "stix-math"],
    "mono-bold-italic": ["liberation-mono-bold-italic", "noto-sans-mono-bold", "noto-sans-sc-bold", *_SCRIPTS_BOLD,
                         "stix-math"],
    "sans-sc": ["noto-sans-sc", "noto-sans", *_SCRIPTS, "stix-math"],
    "sans-sc-bold": ["noto-sans-sc-bold", "noto-sans-bold", *_SCRIPTS_BOLD, "stix-math"],
    "serif-sc": ["noto-serif-sc", "noto-serif", *_SCRIPTS, "stix-math"],
    "serif-sc-bold": ["noto-serif-sc-bold", "noto-serif-bold", *_SCRIPTS_BOLD, "stix-math"],
    "kai": ["wenkai", "noto-serif-sc", "noto-serif", *_SCRIPTS, "stix-math"],
    "math": ["stix-math", "noto-serif", "noto-serif-sc", *_SCRIPTS],
    "arabic": ["noto-sans-arabic", "noto-sans", "stix-math"],
    "hebrew": ["noto-sans-hebrew", "noto-sans", "stix-math"],
    "devanagari": ["noto-sans-devanagari", "noto-sans", "stix-math"],
}

# Non-hanzi blocks kept in every CJK subset (inclusive ranges).
CJK_BLOCKS = {
    "ASCII": (0x0020, 0x007E),
    "Latin-1 Supplement": (0x00A0, 0x00FF),
    "General Punctuation": (0x2000, 0x206F),
    "CJK Symbols and Punctuation": (0x3000, 0x303F),
    "Vertical Forms": (0xFE10, 0xFE1F),
    "CJK Compatibility Forms": (0xFE30, 0xFE4F),
    "Halfwidth and Fullwidth Forms": (0xFF00, 0xFFEF),
}
TGH_LEVEL1 = 3500  # entries 1..3500 of the 2013 Table of General Standard Chinese Characters


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_debs(deb_dir: Path | None, work: Path) -> dict:
    """Return {package: path of its pinned, sha-checked .deb}, downloading what is not in deb_dir."""
    out = {}
    dl = work / "debs"
    dl.mkdir(parents=True, exist_ok=True)
    for pkg, (version, pin) in PACKAGES.items():
        found = None
        for d in [deb_dir, dl]:
            if d is None:
                continue
            for cand in sorted(Path(d).glob(f"{pkg}_*.deb")):
                if sha256_file(cand) == pin:
                    found = cand
        if found is None:
            print(f"downloading {pkg}={version}", file=sys.stderr)
            proc = subprocess.run(["apt-get", "download", f"{pkg}={version}"], cwd=dl, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"cannot download {pkg}={version}: {proc.stderr.strip()}\n"
                         "Run 'apt-get update' first, pass --debs DIR with the pinned .deb files, or move the pin "
                         "in PACKAGES to a version that exists (and rebuild + re-test).")
            cands = [c for c in sorted(dl.glob(f"{pkg}_*.deb")) if sha256_file(c) == pin]
            if not cands:
                got = {c.name: sha256_file(c) for c in dl.glob(f"{pkg}_*.deb")}
                sys.exit(f"{pkg}={version}: sha256 differs from the pin {pin}: {got}")
            found = cands[0]
        out[pkg] = found
    return out


def unpack(debs: dict, work: Path) -> dict:
    """Unpack each .deb into its own folder; return {package: root folder}."""
    roots = {}
    for pkg, deb in debs.items():
        root = work / "unpacked" / pkg
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        roots[pkg] = root
    return roots


def gb2312_hanzi() -> list:
    """All 6763 hanzi of GB 2312 (rows 16-87), decoded with Python's codec."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def tgh_table(unicode_root: Path) -> list:
    """The 2013 Table of General Standard Chinese Characters in table order (Unihan field kTGH)."""
    path = unicode_root / "usr/share/unicode/Unihan_OtherMappings.txt.bz2"
    entries = {}
    with bz2.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if "\tkTGH\t" not in line:
                continue
            cp, _, value = line.rstrip("\n").split("\t")
            index = min(int(item.split(":")[1]) for item in value.split())
            entries[index] = chr(int(cp[2:], 16))
    table = [entries[i] for i in sorted(entries)]
    if len(table) != 8105 or sorted(entries) != list(range(1, 8106)):
        sys.exit(f"unexpected kTGH data: {len(table)} entries")
    return table


def subset_unicodes(hanzi) -> list:
    cps = set()
    for lo, hi in CJK_BLOCKS.values():
        cps.update(range(lo, hi + 1))
    cps.update(ord(c) for c in hanzi)
    return sorted(cps)


def subset_font(font: TTFont, unicodes) -> None:
    opts = ft_subset.Options()
    opts.layout_features = ["*"]        # keep vert/vrt2, kern, locl, ... so shaping still works
    opts.layout_scripts = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.glyph_names = False
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    opts.ignore_missing_unicodes = True
    sub = ft_subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def rename_font(font: TTFont, family: str, postscript: str, note: str) -> None:
    """Replace every family/full/PostScript/unique name record (all languages) with the new names."""
    name = font["name"]
    style = name.getDebugName(2) or "Regular"
    version = (name.getDebugName(5) or "").split(";")[0].replace("Version ", "")
    name.names = [r for r in name.names if r.nameID not in (1, 3, 4, 6, 10, 16, 17, 18, 21, 22)]
    full = family if style == "Regular" else f"{family} {style}"
    for nid, text in ((1, family), (2, style), (3, f"{postscript};{version};subset"), (4, full),
                      (6, postscript), (10, note)):
        name.setName(text, nid, 3, 1, 0x409)
        if text.isascii():  # legacy Mac Roman records cannot hold the CJK characters of the note
            name.setName(text, nid, 1, 0, 0)


def load_source(spec: Spec, root: Path) -> TTFont:
    path = root / spec.member
    if spec.face_family:
        coll = TTCollection(str(path), recalcTimestamp=False)
        for face in coll.fonts:
            if face["name"].getDebugName(1) == spec.face_family:
                return face
        sys.exit(f"{spec.member}: no face named {spec.face_family!r}")
    return TTFont(str(path), recalcTimestamp=False)


def family_of(font: TTFont) -> str:
    name = font["name"]
    return name.getDebugName(16) or name.getDebugName(1)


def build(out_dir: Path, deb_dir: Path | None, work: Path) -> None:
    debs = fetch_debs(deb_dir, work)
    roots = unpack(debs, work)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "licenses").mkdir(exist_ok=True)

    tgh = tgh_table(roots["unicode-data"])
    gb = gb2312_hanzi()
    level1 = tgh[:TGH_LEVEL1]
    hanzi = sorted(set(gb) | set(level1))
    unicodes = subset_unicodes(hanzi)

    # stale font files from an older spec must not linger
    wanted = {s.file for s in SPECS}
    for old in list(out_dir.glob("*.ttf")) + list(out_dir.glob("*.otf")):
        if old.name not in wanted:
            old.unlink()

    licence_files = {}
    for pkg in sorted({s.package for s in SPECS} | {"unicode-data"}):
        src = roots[pkg] / "usr/share/doc" / pkg / "copyright"
        dest = out_dir / "licenses" / f"{pkg}.txt"
        shutil.copyfile(src, dest)
        licence_files[pkg] = f"licenses/{pkg}.txt"

    fonts = []
    coverage = array("I")
    for spec in SPECS:
        root = roots[spec.package]
        src_path = root / spec.member
        dest = out_dir / spec.file
        print(f"{spec.name}: {spec.member}{' [' + spec.face_family + ']' if spec.face_family else ''}",
              file=sys.stderr)
        subset_info = None
        if spec.subset or spec.face_family or spec.rename:
            font = load_source(spec, root)
            if spec.subset:
                subset_font(font, unicodes)
                subset_info = {
                    "blocks": {k: [f"U+{lo:04X}", f"U+{hi:04X}"] for k, (lo, hi) in CJK_BLOCKS.items()},
                    "hanzi": "GB 2312 (6763) + level 1 of the 2013 Table of General Standard Chinese Characters "
                             f"(3500); union {len(hanzi)}",
                    "layout_features": "all",
                }
            if spec.rename:
                rename_font(font, spec.rename["family"], spec.rename["postscript"], spec.note)
            font.save(str(dest))
        else:
            shutil.copyfile(src_path, dest)

        shipped = TTFont(str(dest), lazy=True)
        cmap = sorted(shipped.getBestCmap())
        offset = len(coverage)
        coverage.extend(cmap)
        entry = {
            "name": spec.name,
            "file": spec.file,
            "family": family_of(shipped),
            "style": spec.style,
            "weight": int(shipped["OS/2"].usWeightClass),
            "category": spec.category,
            "scripts": spec.scripts,
            "licence": {"id": LICENCES[spec.package], "file": licence_files[spec.package]},
            "source": {
                "package": spec.package,
                "version": PACKAGES[spec.package][0],
                "deb_sha256": PACKAGES[spec.package][1],
                "member": spec.member,
                "member_sha256": sha256_file(src_path),
                **({"face": spec.face_family} if spec.face_family else {}),
            },
            "subset": subset_info,
            "has_math_table": "MATH" in shipped,
            "glyphs": int(shipped["maxp"].numGlyphs),
            "codepoints": len(cmap),
            "coverage": [offset, len(cmap)],
            "size": dest.stat().st_size,
            "sha256": sha256_file(dest),
        }
        if spec.note:
            entry["note"] = spec.note
        fonts.append(entry)

    names = {s.name for s in SPECS}
    for alias, chain in ALIASES.items():
        missing = [n for n in chain if n not in names]
        if missing:
            sys.exit(f"alias {alias!r} names unknown fonts {missing}")

    if sys.byteorder != "little":
        coverage.byteswap()
    cov_path = out_dir / "coverage.bin"
    cov_path.write_bytes(coverage.tobytes())

    charsets = {
        "about": "Hanzi lists used to subset the CJK fonts. tgh2013 is the 2013 Table of General Standard Chinese "
                 "Characters in table order (levels 1-3), taken from the Unihan kTGH field of Debian package "
                 f"unicode-data {PACKAGES['unicode-data'][0]}; gb2312 is derived at run time from Python's codec.",
        "licence": {"id": "Unicode-DFS-2016", "file": licence_files["unicode-data"]},
        "tgh2013_level1": "".join(tgh[:3500]),
        "tgh2013_level2": "".join(tgh[3500:6500]),
        "tgh2013_level3": "".join(tgh[6500:]),
    }
    (out_dir / "charsets.json").write_text(json.dumps(charsets, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")

    manifest = {
        "format": 1,
        "about": "Bundled fonts of symbolreel. Generated by scripts/build_fonts.py; do not edit by hand.",
        "coverage_file": "coverage.bin",
        "coverage_format": "little-endian uint32 code points; font entry 'coverage' = [offset, count] in items",
        "coverage_sha256": sha256_file(cov_path),
        "fonts": fonts,
        "aliases": ALIASES,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    print(f"wrote {len(fonts)} fonts to {out_dir.name}/, folder total {total / 1e6:.2f} MB", file=sys.stderr)


def compare(built: Path, shipped: Path) -> int:
    """0 when every generated file in ``built`` is byte-identical to the one in ``shipped``."""
    bad = []
    for path in sorted(built.rglob("*")):
        if path.is_file():
            other = shipped / path.relative_to(built)
            if not other.is_file() or not filecmp.cmp(path, other, shallow=False):
                bad.append(str(path.relative_to(built)))
    for line in bad:
        print(f"differs: {line}", file=sys.stderr)
    print("identical" if not bad else f"{len(bad)} file(s) differ", file=sys.stderr)
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--debs", type=Path, help="folder with the pinned .deb files (skips downloading those)")
    ap.add_argument("--out", type=Path, default=FONT_DIR, help="output folder (default: fonts/)")
    ap.add_argument("--keep-work", type=Path, help="keep downloads and unpacked packages in this folder")
    ap.add_argument("--check", action="store_true", help="build into a temp folder and compare with --out")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="symbolreel-fonts-") as tmp:
        work = args.keep_work or Path(tmp)
        if args.check:
            built = Path(tmp) / "built"
            build(built, args.debs, work)
            return compare(built, args.out)
        build(args.out, args.debs, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
