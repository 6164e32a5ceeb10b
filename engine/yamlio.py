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

_COMMENT_COLOUR = re.compile(r"^\s*#[0-9a-fA-F]{3,8}\b")


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (YAML 1.2 core schema)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str, file: str | None = None):
    """Parse YAML text; return ``(data, marks)`` where marks maps path tuples to (line, column)."""
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
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
        if root is None:
            raise SceneError("the file is empty; expected a scene mapping with 'canvas' and 'nodes'", (), file)
        marks: dict = {}
        lines = text.splitlines()
        try:
            data = _convert(loader, root, (), marks, lines, file)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise SceneError(f"unsupported YAML: {exc.problem or exc}", (), file,
                             mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise SceneError(f"unsupported YAML value: {exc}", (), file) from None
        return data, marks
    finally:
        loader.dispose()


def _convert(loader, node, path, marks, lines, file):
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SceneError("mapping keys must be plain names", path, file,
                                 key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            key = loader.construct_object(key_node)
            if key == "<<":
                raise SceneError("YAML merge keys ('<<') are not supported in scenes", path, file,
                                 key_node.start_mark.line + 1)
            key = str(key)
            if key in out:
                raise SceneError(f"duplicate key '{key}'", path + (key,), file,
                                 key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if (isinstance(value_node, yaml.ScalarNode) and value_node.value == ""
                    and value_node.tag == "tag:yaml.org,2002:null"):
                line = lines[key_node.end_mark.line] if key_node.end_mark.line < len(lines) else ""
                rest = line[key_node.end_mark.column:].lstrip()
                rest = rest[1:] if rest.startswith(":") else rest
                if _COMMENT_COLOUR.match(rest):
                    raise SceneError(
                        f"the value{rest.strip().split()[0] and ' ' + rest.strip().split()[0]} was read as a YAML "
                        f"comment, so '{key}' is empty; quote colours: {key}: \"{rest.strip().split()[0]}\"",
                        path + (key,), file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _convert(loader, value_node, path + (key,), marks, lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, path + (i,), marks, lines, file) for i, item in enumerate(node.value)]
    value = loader.construct_object(node)
    if isinstance(value, (bytes, bytearray)) or type(value).__module__ == "datetime":
        raise SceneError(f"unsupported YAML value type {type(value).__name__}; write it as a string", path, file,
                         node.start_mark.line + 1, node.start_mark.column + 1)
    return value


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
