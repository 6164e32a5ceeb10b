"""Dataset domains: one module per symbol domain, each a sampler, a scene builder and captions.

The contract every domain keeps (the runner codes against exactly this)::

    spec  = domain.sample(rng, options, media)     # media "still" | "clip"; spec: plain JSON-able dict
    scene = domain.build(spec)                     # symbolreel.Scene; deterministic, no randomness
    caps  = domain.captions(spec, scene, rng)      # {"en": {...}, "zh": {...}}

* ``sample`` draws every random choice of an item from ``rng`` into the spec. The spec holds all that
  is needed to rebuild the scene: ``canvas`` (width, height; fps and duration for clips),
  ``background``, the content (text, formula source, construction, functions, road), styles,
  positions and the ``motion`` of a clip. It always has ``"domain"`` and ``"media"``. Rejected draws
  (missing glyphs, degenerate triangles, text that cannot fit) are re-drawn from the same ``rng``, so a
  seed always gives the same spec.
* ``build`` turns the spec into a Scene and nothing else; the same spec gives an equal Scene (and the
  same ``scene.dumps()``) in any process.
* ``captions`` writes from the spec and the scene (the nodes' ``describe()`` data), never from a guess:
  ``{"en": {"short", "detailed", "prompt", "motion" (clips only)}, "zh": {same keys}}``. Every quoted
  string is exactly the rendered text, colour words are the CSS names of the drawn colours, position
  words come from where the content is on the canvas, and figure facts are the ones the figure proves.
  ``rng`` only picks among equivalent templates.

``options`` of a domain are its defaults; a recipe's ``domains.<name>.options`` override them key by key
(:func:`validate_options`). Each option is documented in ``Domain.option_docs``.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from symbolreel.errors import SceneError, did_you_mean, format_path

__all__ = ["Domain", "DOMAINS", "get", "validate_options", "register"]


@dataclass(frozen=True)
class Domain:
    """One symbol domain of the dataset generator (see the module docstring for the contract)."""

    name: str
    options: dict
    sample: Callable[[np.random.Generator, dict, str], dict]
    build: Callable[[dict], object]
    captions: Callable[[dict, object, np.random.Generator], dict]
    option_docs: dict = field(default_factory=dict)   # option -> one-line meaning
    check: Callable[[dict, tuple], None] | None = None  # extra checks of merged options (raises SceneError)


DOMAINS: dict = {}


def register(domain: Domain) -> Domain:
    """Add a domain to :data:`DOMAINS` (each domain module calls this once at import)."""
    missing = sorted(set(domain.options) - set(domain.option_docs))
    if missing:
        raise AssertionError(f"domain {domain.name}: options without docs: {missing}")
    DOMAINS[domain.name] = domain
    return domain


def get(name: str) -> Domain:
    """The domain called ``name``; a clear error listing the known names otherwise."""
    if name not in DOMAINS:
        raise SceneError(f"unknown domain {name!r}{did_you_mean(name, DOMAINS)}; known domains: "
                         f"{', '.join(DOMAINS)}")
    return DOMAINS[name]


def _is_num(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_value(key, value, default, path: tuple):
    """Check one option value against the shape of its default; returns the (normalised) value."""
    where = path + (key,)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SceneError(f"expected true or false, found {value!r}", where)
        return value
    if isinstance(default, int):
        if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
            raise SceneError(f"expected an integer, found {value!r}", where)
        return int(value)
    if isinstance(default, float):
        if not _is_num(value):
            raise SceneError(f"expected a number, found {value!r}", where)
        return float(value)
    if isinstance(default, str) or default is None:
        if value is None and default is None:
            return None
        if not isinstance(value, str):
            raise SceneError(f"expected text{' or null' if default is None else ''}, found {value!r}", where)
        return value
    if isinstance(default, dict):
        # weights: the recipe's mapping replaces the default one; unnamed keys weigh 0
        if not isinstance(value, dict):
            raise SceneError(f"expected a mapping of weights like {default}, found {value!r}", where)
        out = {}
        for k, w in value.items():
            if k not in default:
                raise SceneError(f"unknown key {k!r}{did_you_mean(k, default)}; expected one of "
                                 f"{', '.join(map(str, default))}", where + (k,))
            if not _is_num(w) or w < 0:
                raise SceneError(f"expected a weight >= 0, found {w!r}", where + (k,))
            out[k] = float(w)
        if not any(w > 0 for w in out.values()):
            raise SceneError("expected at least one weight > 0", where)
        return {k: out[k] for k in default if k in out}
    if isinstance(default, (list, tuple)):
        if len(default) == 2 and all(_is_num(x) for x in default):
            if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_num(x) for x in value)):
                raise SceneError(f"expected a range [low, high] of two numbers, found {value!r}", where)
            if value[0] > value[1]:
                raise SceneError(f"expected low <= high, found {list(value)}", where)
            kind = int if all(isinstance(x, int) for x in default) else float
            if kind is int and not all(isinstance(x, numbers.Integral) for x in value):
                raise SceneError(f"expected a range of two integers, found {value!r}", where)
            return [kind(value[0]), kind(value[1])]
        if not isinstance(value, (list, tuple)) or not value:
            raise SceneError(f"expected a non-empty list, found {value!r}", where)
        for i, x in enumerate(value):
            if not isinstance(x, str):
                raise SceneError(f"expected text, found {x!r}", where + (i,))
        return list(value)
    raise AssertionError(f"option {key}: unsupported default {default!r}")


def validate_options(name: str, options: dict | None, path=None) -> dict:
    """Defaults of domain ``name`` overridden by ``options``; errors name ``path`` + the option.

    ``path`` defaults to ``("domains", name, "options")``, so a bad size reads
    ``domains.text.options.size: expected a range [low, high] of two numbers, found 'big' (str)``.
    """
    dom = get(name)
    path = ("domains", name, "options") if path is None else tuple(path)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise SceneError(f"expected a mapping of options, found {options!r}", path)
    merged = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
              for k, v in dom.options.items()}
    for key, value in options.items():
        if key not in dom.options:
            raise SceneError(f"unknown option {key!r}{did_you_mean(key, dom.options)}; options of {name}: "
                             f"{', '.join(dom.options)}", path + (key,))
        merged[key] = _check_value(key, value, dom.options[key], path)
    if dom.check is not None:
        dom.check(merged, path)
    return merged


def error_path(path) -> str:
    """Readable form of an option path (for messages built outside SceneError)."""
    return format_path(path)



def _readable(value):
    """Floats at four significant digits (1/150 is shown as 0.006667, not 0.006666666666666667)."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, (list, tuple)):
        return [_readable(v) for v in value]
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items()}
    return value


def options_markdown() -> str:
    """The option tables of every domain (docs/dataset-domains.md embeds them; a test keeps it current)."""
    import json

    out = []
    for name, dom in DOMAINS.items():
        out.append(f"### `{name}`\n")
        out.append("| option | default | meaning |\n|---|---|---|")
        for key, value in dom.options.items():
            out.append(f"| `{key}` | `{json.dumps(_readable(value), ensure_ascii=False)}` | {dom.option_docs[key]} |")
        out.append("")
    return "\n".join(out)


# Import the domain modules last: each registers itself.
from . import formula, geometry, plot, road, text  # noqa: E402,F401
