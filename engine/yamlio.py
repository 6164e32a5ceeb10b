"""Safe YAML reading with source positions, and canonical YAML writing.

Scene files are read with PyYAML's safe machinery only.  Two YAML 1.1 traps are
defended against: ``on``/``off``/``yes``/``no`` stay strings (only ``true`` and
``false`` are booleans), and an unquoted ``#RRGGBB`` colour - which YAML reads as
a comment, leaving the key empty - is reported instead of silently becoming null.
"""
from __future__ import annotations

import re

import yaml

from .errors import SceneError
from .limits import DEFAULT_LIMITS

_COMMENT_COLOUR = re.compile(r"^\s*#[0-9a-fA-F]{3,8}\b")


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (YAML 1.2 core schema)."""


class _EventLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same, on libyaml's parser when PyYAML has it (about 8x faster than the pure-Python one)."""


for _cls in (_Loader, _EventLoader):
    _cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


# PyYAML's reader refuses these (YAML 1.1 printable set); found first so the error names the line
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _check_characters(text: str, file):
    bad = _NON_PRINTABLE.search(text)
    if bad is None:
        return
    line = text.count("\n", 0, bad.start()) + 1
    col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
    code = ord(bad.group())
    esc = f"\\x{code:02X}" if code < 0x100 else (f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    raise SceneError(f"character U+{code:04X} is not allowed in a YAML file; inside a double-quoted string write "
                     f"it as {esc}", (), file, line, col)


def load_yaml(text: str, file: str | None = None, limits=None):
    """Parse YAML text; return ``(data, marks)`` where marks maps path tuples to (line, column).

    Bounded before any value is built (see :class:`symbolreel.limits.Limits`): the text's size,
    the nesting depth and the number of values after alias expansion (an alias bomb or an
    alias inside its own anchor is an error, not an endless expansion).
    """
    limits = limits or DEFAULT_LIMITS
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > limits.max_bytes:
            raise SceneError(f"the file has {len(data)} bytes, above the limit of {limits.max_bytes} (max_bytes) "
                             f"(raise it with Limits(max_bytes=...) or --limit max_bytes=N)", (), file)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise SceneError(f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start})",
                             (), file, line) from None
    if len(text) > limits.max_bytes and len(text.encode("utf-8")) > limits.max_bytes:
        raise SceneError(f"the file has {len(text.encode('utf-8'))} bytes, above the limit of {limits.max_bytes} "
                         f"(max_bytes) (raise it with Limits(max_bytes=...) or --limit max_bytes=N)", (), file)
    _check_characters(text, file)
    loader = _EventLoader(text)
    try:
        try:
            data, marks = _Composer(loader, text, file, limits).document()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            col = mark.column + 1 if mark else None
            hint = ""
            for k, src in enumerate(text.splitlines()):
                if re.search(r":\s*#[0-9a-fA-F]{3,8}\b", src):
                    hint = (f"; line {k + 1} has an unquoted colour, which YAML reads as a comment: "
                            f"quote it, e.g. fill: \"#F5C518\"")
                    break
            raise SceneError(f"not valid YAML: {exc.problem or exc}{hint}", (), file, line, col) from None
        except yaml.YAMLError as exc:
            raise SceneError(f"not valid YAML: {exc}", (), file) from None
        if data is None and not marks:
            raise SceneError("the file is empty; expected a scene mapping with 'canvas' and 'nodes'", (), file)
        return data, marks
    finally:
        loader.dispose()


_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?\Z")
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_OPEN = object()  # anchor of a collection still being read: an alias to it would contain itself


class _Composer:
    """Builds plain data straight from parser events, without recursion (the parser keeps its own
    stack), counting depth and expanded size as it goes."""

    def __init__(self, loader, text, file, limits):
        self.loader, self.file, self.limits = loader, file, limits
        self.lines = None
        self.text = text
        self.anchors: dict = {}      # name -> (value, expanded size) or _OPEN
        self.marks: dict = {}
        self.size = 0

    def fail(self, message, path, mark):
        raise SceneError(message, path, self.file, mark.line + 1 if mark else None,
                         mark.column + 1 if mark else None)

    def count(self, n, path, mark):
        self.size += n
        if self.size > self.limits.max_elements:
            self.fail(f"more than {self.limits.max_elements} values after expanding aliases (max_elements) "
                      f"(raise it with Limits(max_elements=...) or --limit max_elements=N)", path, mark)

    def document(self):
        ld = self.loader
        ld.get_event()                      # StreamStart
        if ld.check_event(yaml.StreamEndEvent):
            return None, {}
        ld.get_event()                      # DocumentStart
        value = self.value((), 0)
        ld.get_event()                      # DocumentEnd
        if not ld.check_event(yaml.StreamEndEvent):
            ev = ld.get_event()
            self.fail("expected a single document in the file, found a second one ('---')", (), ev.start_mark)
        return value, self.marks

    def value(self, root_path, depth0):
        """Read one value (scalar, alias or a whole collection) iteratively."""
        ld = self.loader
        # stack entries: [container, path, anchor, size at start, pending key (mappings), key event]
        stack: list = []
        result = None
        while True:
            ev = ld.get_event()
            if stack:
                top = stack[-1]
                if isinstance(top[0], dict) and top[4] is None and not isinstance(ev, yaml.MappingEndEvent):
                    self.key(top, ev)
                    continue
                path = top[1] + ((top[4],) if isinstance(top[0], dict) else (len(top[0]),))
            else:
                path = root_path
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                container, cpath, anchor, size0 = stack.pop()[:4]
                if anchor is not None:
                    self.anchors[anchor] = (container, self.size - size0)
                done = container
            elif isinstance(ev, yaml.AliasEvent):
                entry = self.anchors.get(ev.anchor)
                if entry is None:
                    self.fail(f"unknown alias *{ev.anchor} (no anchor &{ev.anchor} before it)", path, ev.start_mark)
                if entry is _OPEN:
                    self.fail(f"alias *{ev.anchor} is inside the value it refers to (a self-referencing "
                              f"structure never ends)", path, ev.start_mark)
                self.marks[path] = (ev.start_mark.line + 1, ev.start_mark.column + 1)
                self.count(entry[1], path, ev.start_mark)
                done = entry[0]
            elif isinstance(ev, yaml.ScalarEvent):
                self.marks[path] = (ev.start_mark.line + 1, ev.start_mark.column + 1)
                self.count(1, path, ev.start_mark)
                done = self.scalar(ev, path)
                if ev.anchor is not None:
                    self.anchors[ev.anchor] = (done, 1)
            elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                is_map = isinstance(ev, yaml.MappingStartEvent)
                if ev.tag not in (None, "!", _MAP if is_map else _SEQ):
                    self.fail(f"unsupported YAML tag {ev.tag} on a {'mapping' if is_map else 'list'}", path,
                              ev.start_mark)
                if depth0 + len(stack) + 1 > self.limits.max_depth:
                    self.fail(f"lists and mappings nested deeper than {self.limits.max_depth} levels (max_depth) "
                              f"(raise it with Limits(max_depth=...) or --limit max_depth=N)", path, ev.start_mark)
                self.marks[path] = (ev.start_mark.line + 1, ev.start_mark.column + 1)
                self.count(1, path, ev.start_mark)
                if ev.anchor is not None:
                    self.anchors[ev.anchor] = _OPEN
                stack.append([{} if is_map else [], path, ev.anchor, self.size, None, None])
                continue
            else:  # pragma: no cover - the parser only yields the events above inside a document
                self.fail(f"unexpected YAML event {type(ev).__name__}", path, ev.start_mark)
            if not stack:
                return done
            top = stack[-1]
            if isinstance(top[0], dict):
                top[0][top[4]] = done
                top[4] = None
            else:
                top[0].append(done)
        return result

    def key(self, top, ev):
        """A mapping key: a plain name; duplicates, merge keys and comment-eaten colours are errors."""
        path = top[1]
        if not isinstance(ev, yaml.ScalarEvent):
            self.fail("mapping keys must be plain names", path, ev.start_mark)
        if ev.value == "<<" and ev.style in (None, "") and ev.tag is None:
            self.fail("YAML merge keys ('<<') are not supported in scenes", path, ev.start_mark)
        key = self.scalar(ev, path)
        if isinstance(key, (list, dict)):
            self.fail("mapping keys must be plain names", path, ev.start_mark)
        key = str(key)
        if key in top[0]:
            self.fail(f"duplicate key '{key}'", path + (key,), ev.start_mark)
        self.count(1, path + (key,), ev.start_mark)
        nxt = self.loader.peek_event()
        if (isinstance(nxt, yaml.ScalarEvent) and nxt.value == "" and nxt.tag is None
                and nxt.style in (None, "") and nxt.anchor is None):
            self.comment_colour(key, ev, path)
        top[4] = key
        top[0][key] = None  # reserve the slot so a duplicate is found even before the value is read

    def comment_colour(self, key, ev, path):
        if self.lines is None:
            self.lines = self.text.splitlines()
        line = self.lines[ev.end_mark.line] if ev.end_mark.line < len(self.lines) else ""
        rest = line[ev.end_mark.column:].lstrip()
        rest = rest[1:] if rest.startswith(":") else rest
        if _COMMENT_COLOUR.match(rest):
            word = rest.strip().split()[0]
            self.fail(f"the value {word} was read as a YAML comment, so '{key}' is empty; quote colours: "
                      f"{key}: \"{word}\"", path + (key,), ev.start_mark)

    def scalar(self, ev, path):
        ld = self.loader
        plain = ev.style in (None, "")
        tag = ev.tag
        if plain and tag is None and len(ev.value) < 40:
            # fast path for the common numbers (same result as YAML 1.1 resolution: no octal, no '1e5')
            if _PLAIN_INT.match(ev.value):
                return int(ev.value)
            if _PLAIN_FLOAT.match(ev.value):
                return float(ev.value)
        if tag is None or tag == "!":
            tag = ld.resolve(yaml.ScalarNode, ev.value, ev.implicit) if tag is None else "tag:yaml.org,2002:str"
        if tag == "tag:yaml.org,2002:str":
            return ev.value
        if tag == "tag:yaml.org,2002:merge" and plain:
            self.fail("YAML merge keys ('<<') are not supported in scenes", path, ev.start_mark)
        constructor = _Loader.yaml_constructors.get(tag)
        if tag in ("tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp"):
            kind = "bytes" if tag.endswith("binary") else "date"
            self.fail(f"unsupported YAML value type {kind}; write it as a string", path, ev.start_mark)
        if constructor is None or tag in (_MAP, _SEQ):
            self.fail(f"unsupported YAML tag {tag}", path, ev.start_mark)
        node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
        try:
            return constructor(ld, node)
        except ValueError as exc:
            if tag == "tag:yaml.org,2002:int":
                self.fail(f"number out of range ({len(ev.value)} digits)", path, ev.start_mark)
            self.fail(f"unsupported YAML value: {exc}", path, ev.start_mark)
        except (yaml.YAMLError, TypeError, OverflowError) as exc:
            self.fail(f"unsupported YAML value: {exc}", path, ev.start_mark)


class _Dumper(yaml.SafeDumper):
    """Short lists of scalars in flow style ([x, y]); everything else in block style."""


def _has_mapping(data) -> bool:
    return any(isinstance(v, dict) or (isinstance(v, (list, tuple)) and _has_mapping(v)) for v in data)


def _repr_list(dumper, data):
    # short lists without mappings (vectors, colours, keyframes, small point lists) stay on one line
    flow = not _has_mapping(data) and len(repr(data)) <= 72
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _repr_float(dumper, data):
    # repr() gives the shortest string that reads back to the same float
    if data != data or data in (float("inf"), float("-inf")):
        return yaml.SafeDumper.represent_float(dumper, data)
    text = repr(float(data))
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(list, _repr_list)
_Dumper.add_representer(tuple, _repr_list)
_Dumper.add_representer(float, _repr_float)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
