"""The formula node: LaTeX subset parsing, MATH-table layout, drawing, annotations and the SymPy grammar."""
from __future__ import annotations

import numpy as np
import pytest
import skia

import symbolreel as sr
from symbolreel.primitives import Formula
from symbolreel.primitives.math.parse import MathSyntaxError, parse_tex, supported_commands
from symbolreel.primitives.math.symbolic import parse_sympy, sympy_to_tex


def _scene(*nodes, width=200, height=120, background="white"):
    return sr.Scene(canvas=sr.Canvas(width=width, height=height, background=background), nodes=list(nodes))


def _formula(tex=None, sympy=None, **kw):
    kw.setdefault("transform", sr.Transform(position=(100, 60)))
    if sympy is not None:
        return Formula(sympy=sympy, id="f", **kw)
    return Formula(tex=tex, id="f", **kw)


def _annotation(node, **scene_kw):
    frame, objects = sr.render_frame(_scene(node, **scene_kw), 0, annotations=True)
    (obj,) = [o for o in objects if o["id"] == node.id]
    return frame, obj


def _symbols(obj, char):
    return [s for s in obj["symbols"] if s["char"] == char]


def _one(obj, char):
    (s,) = _symbols(obj, char)
    return s["bbox"]


def _yaml_str(s: str) -> str:
    """A single-quoted YAML scalar holding ``s`` verbatim (backslashes stay as they are)."""
    return "'" + s.replace("'", "''") + "'"


def _cx(b):
    return (b[0] + b[2]) / 2


# ------------------------------------------------------------------ golden images

@pytest.mark.parametrize("name, tex", [
    ("formula_fraction", r"\frac{a+b}{2c}"),
    ("formula_radical", r"\sqrt[3]{x^2+1}"),
    ("formula_integral", r"\int_0^1 x^2\,dx"),
    ("formula_pmatrix", r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}"),
])
def test_formula_golden(golden, name, tex):
    golden(name, sr.render_frame(_scene(_formula(tex, size=30)), 0))


# ------------------------------------------------------------------ structure

def test_fraction_numerator_above_bar_above_denominator():
    _, obj = _annotation(_formula(r"\frac{a}{b}", size=40))
    a, bar, b = _one(obj, "a"), _one(obj, "frac_bar"), _one(obj, "b")
    assert a[3] < bar[1] and bar[3] < b[1]          # image y grows downwards
    assert bar[0] <= min(a[0], b[0]) and bar[2] >= max(a[2], b[2])
    assert abs(_cx(a) - _cx(bar)) < 2.5 and abs(_cx(b) - _cx(bar)) < 2.5
    # the rule has the font's FractionRuleThickness (66/1000 em in STIX Two Math)
    assert bar[3] - bar[1] == pytest.approx(40 * 66 / 1000, abs=0.01)


def test_superscript_is_higher_and_smaller_subscript_lower():
    _, obj = _annotation(_formula(r"x_i^2 + y^{2}", size=40))
    x, two, i = _one(obj, "x"), _symbols(obj, "2")[0]["bbox"], _one(obj, "i")
    assert two[1] < x[1] and two[3] < x[3]            # raised
    assert (two[3] - two[1]) < 0.85 * 40 * 0.7        # script size (75%) digits are smaller than full size
    assert i[3] > x[3]                                # subscript hangs below the base
    assert two[0] >= x[2] - 1 and i[0] >= x[2] - 3    # both after the base


def test_sum_limits_centred_in_display_and_beside_inline():
    _, obj = _annotation(_formula(r"\sum_{k=1}^{n} k", size=36))
    s, n, k = _one(obj, "\u2211"), _one(obj, "n"), _symbols(obj, "k")[0]["bbox"]
    one = _one(obj, "1")
    lower = (k[0], min(k[1], one[1]), one[2], max(k[3], one[3]))
    assert n[3] < s[1] and lower[1] > s[3]            # above and below the operator
    assert abs(_cx(n) - _cx(s)) < 1.0 and abs(_cx(lower) - _cx(s)) < 1.0
    _, inline = _annotation(_formula(r"\sum_{k=1}^{n} k", size=36, display=False))
    s2, n2 = _one(inline, "\u2211"), _one(inline, "n")
    assert n2[0] > s2[2] - 1                           # limits move to the side in text style
    assert (s2[3] - s2[1]) < (s[3] - s[1])             # and the operator is the smaller variant


def test_integral_limits_at_the_side_in_display():
    _, obj = _annotation(_formula(r"\int_0^1 f", size=36))
    i, one, zero = _one(obj, "\u222b"), _one(obj, "1"), _one(obj, "0")
    assert one[0] > _cx(i) and zero[0] > i[0]
    assert one[3] < (i[1] + i[3]) / 2 < zero[1]


def test_radical_covers_body_and_index_sits_left():
    _, obj = _annotation(_formula(r"\sqrt[3]{x}", size=40))
    rad, bar, x, three = _one(obj, "\u221a"), _one(obj, "sqrt_bar"), _one(obj, "x"), _one(obj, "3")
    assert bar[3] < x[1]                              # rule above the body
    assert bar[0] <= x[0] and bar[2] >= x[2]
    assert abs(bar[1] - rad[1]) < 0.6                 # rule joins the top of the radical sign
    assert three[2] < _cx(rad) + 4 and three[3] < rad[3]


def test_delimiters_stretch_around_tall_content():
    _, small = _annotation(_formula(r"\left( x \right)", size=30))
    _, tall = _annotation(_formula(r"\left( \frac{\frac{a}{b}}{\frac{c}{d}} \right)", size=30))
    h_small = _one(small, "(")[3] - _one(small, "(")[1]
    p = _one(tall, "(")
    assert p[3] - p[1] > 1.8 * h_small
    a, d = _one(tall, "a"), _one(tall, "d")
    assert p[1] <= a[1] + 1 and p[3] >= d[3] - 1


def test_pmatrix_cells_in_rows_and_columns():
    _, obj = _annotation(_formula(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", size=30))
    a, b, c, d = (_one(obj, ch) for ch in "abcd")
    assert a[2] < b[0] and c[2] < d[0]
    assert a[3] < c[1] and b[3] < d[1]
    lp, rp = _one(obj, "("), _one(obj, ")")
    assert lp[2] <= a[0] and rp[0] >= b[2]


def test_accent_is_centred_over_its_base():
    _, obj = _annotation(_formula(r"\hat{a} \vec{v}", size=40))
    a, hat = _one(obj, "a"), _one(obj, "\u02c6")
    assert hat[3] <= a[1] + 1 and abs(_cx(hat) - _cx(a)) < 3
    v, arrow = _one(obj, "v"), _one(obj, "\u2192")
    assert arrow[3] <= v[1] + 1


@pytest.mark.parametrize("tex, rotation", [
    (r"\frac{a+b}{2c} = \sqrt[3]{x^2+1}", 0.0),
    (r"\int_0^1 x^2\,dx + \sum_{k=1}^{n} \left( \frac{1}{k} \right)", 0.0),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix} \hat{x} \text{if } \alpha \leq \beta", 0.0),
    (r"f(x) = \begin{cases} x^2 & x \geq 0 \\ -x & \text{else} \end{cases}", 25.0),
])
def test_symbol_quads_contain_the_ink(tex, rotation):
    node = Formula(id="f", tex=tex, size=28,
                   transform=sr.Transform(position=(160, 100), rotation=rotation))
    frame, obj = _annotation(node, width=320, height=200, background=None)
    alpha = frame[..., 3].astype(np.float64)
    assert alpha.sum() > 0
    mask = np.zeros((200, 320, 4), dtype=np.uint8)
    surface = skia.Surface(mask)
    with surface as canvas:
        paint = skia.Paint(Color=skia.ColorWHITE, AntiAlias=True)
        for s in obj["symbols"]:
            path = skia.Path()
            path.addPoly([skia.Point(*p) for p in s["quad"]], True)
            canvas.drawPath(path, paint)
    inside = alpha[mask[..., 3] > 0].sum() / alpha.sum()
    assert inside > 0.995, inside
    # the formula's quad contains every symbol
    bb = obj["bbox"]
    for s in obj["symbols"]:
        b = s["bbox"]
        assert bb[0] <= b[0] + 1e-6 and bb[1] <= b[1] + 1e-6 and bb[2] >= b[2] - 1e-6 and bb[3] >= b[3] - 1e-6


def test_annotation_format():
    _, obj = _annotation(_formula(r"\alpha^2"))
    assert obj["type"] == "formula" and obj["tex"] == r"\alpha^2"
    assert set(obj) >= {"quad", "bbox", "symbols"}
    assert [s["char"] for s in obj["symbols"]] == ["\u03b1", "2"]
    assert all(len(s["quad"]) == 4 and len(s["bbox"]) == 4 for s in obj["symbols"])


def test_align_and_valign_move_the_box():
    _, left = _annotation(_formula("x+y", align="left", valign="baseline"))
    _, right = _annotation(_formula("x+y", align="right", valign="top"))
    assert left["bbox"][0] == pytest.approx(100, abs=1.5)     # starts at the origin
    assert right["bbox"][2] == pytest.approx(100, abs=1.5)    # ends at the origin
    assert right["bbox"][1] >= 60 - 1e-6                       # top at the origin: everything below
    x = _one(left, "x")
    assert x[3] == pytest.approx(60, abs=1.0)                  # x sits on the baseline


def test_animated_size_scales_the_layout():
    node = Formula(id="f", tex=r"\frac{1}{2}", size=sr.keys((0, 20), (1, 40)),
                   transform=sr.Transform(position=(100, 60)))
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=120, fps=10, duration=1), nodes=[node])
    _, a0 = sr.render_frame(scene, 0, annotations=True)
    _, a9 = sr.render_frame(scene, 9, annotations=True)
    w0 = a0[0]["bbox"][2] - a0[0]["bbox"][0]
    w9 = a9[0]["bbox"][2] - a9[0]["bbox"][0]
    assert w9 / w0 == pytest.approx(38 / 20, rel=0.02)


# ------------------------------------------------------------------ sympy path

def test_sympy_gives_the_same_layout_as_the_equivalent_tex():
    tex = sympy_to_tex("sqrt(x**2 + 1)/(2*pi)")
    assert tex == r"\frac{\sqrt{x^{2} + 1}}{2 \pi}"
    f1, o1 = _annotation(_formula(sympy="sqrt(x**2 + 1)/(2*pi)"))
    f2, o2 = _annotation(_formula(tex))
    assert o1["symbols"] == o2["symbols"]
    assert np.array_equal(f1, f2)
    assert o1["sympy"] == "sqrt(x**2 + 1)/(2*pi)" and o1["tex"] == tex


@pytest.mark.parametrize("expr", ["Integral(x**2, (x, 0, 1))", "Sum(1/k**2, (k, 1, oo)) = pi**2/6",
                                  "sin(alpha)^2 + cos(alpha)^2", "Abs(x_1 - x_2)", "binomial(n, k)",
                                  "Matrix(((1, 2), (3, 4)))", "exp(-x**2/2)/sqrt(2*pi)", "Limit(sin(x)/x, x, 0)"])
def test_sympy_expressions_lay_out(expr):
    node = _formula(sympy=expr, size=20)
    _, obj = _annotation(node, width=320, height=160)
    assert obj["symbols"]


def test_sympy_grammar_never_executes_python(monkeypatch, tmp_path):
    import os
    import subprocess

    import sympy.parsing.sympy_parser as sp

    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))

    def forbidden(*a, **k):
        raise AssertionError("a string reached SymPy's eval-based parser")

    monkeypatch.setattr(sp, "parse_expr", forbidden)
    monkeypatch.setattr(sp, "eval_expr", forbidden)
    sentinel = tmp_path / "pwned"
    attacks = [f"__import__('os').system('touch {sentinel}')",
               f"os.system('touch {sentinel}')",
               "x.__class__.__bases__[0].__subclasses__()",
               "(lambda: 1)()", "exec('1')", "eval('1')", "getattr(x, 'y')", "x; y", "[x]"]
    for attack in attacks:
        yml = f"nodes:\n  - type: formula\n    sympy: {_yaml_str(attack)}\n"
        with pytest.raises(sr.SceneError) as info:
            sr.loads(yml)
        msg = str(info.value)
        assert "nodes[0].sympy" in msg, msg
        assert "at character" in msg, msg
    assert not sentinel.exists() and calls == []
    # and the legitimate path works with the eval-based parser disabled
    assert sympy_to_tex("sqrt(y)/3") == r"\frac{\sqrt{y}}{3}"


def test_sympy_error_messages_are_clear():
    with pytest.raises(sr.SceneError, match=r"names cannot start with '_'.* at character 0"):
        sr.loads("nodes:\n  - type: formula\n    sympy: \"__import__('os').system('x')\"\n")
    with pytest.raises(sr.SceneError, match=r"unknown function 'system'"):
        sr.loads("nodes:\n  - type: formula\n    sympy: 'system(1)'\n")
    with pytest.raises(MathSyntaxError, match="number too large"):
        parse_sympy("9**9**9**9")
    with pytest.raises(MathSyntaxError, match="not allowed"):
        parse_sympy("factorial(10**6)")


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("tex, message", [
    (r"\input{/etc/passwd}", r"unknown command \\input at character 0 .*; supported: .*\\frac"),
    (r"x + \fracc{1}{2}", r"unknown command \\fracc at character 4 \(did you mean '\\frac'\?\)"),
    (r"\frac{a}{b", r"unbalanced '\{' \(missing '\}'\) at character 8"),
    ("a}", r"unbalanced '\}' \(no matching '\{'\) at character 1"),
    ("x^2^3", r"double superscript"),
    (r"\left( x", r"\\left has no matching \\right at character 0"),
    (r"\begin{align} x \end{align}", r"unknown environment 'align' at character 0; supported: Bmatrix, "),
    (r"a & b", r"only allowed inside \\begin\{matrix\}"),
    ("$x$", r"'\$' is not needed"),
])
def test_bad_tex_is_rejected_with_position(tex, message):
    yml = f"nodes:\n  - type: formula\n    tex: {_yaml_str(tex)}\n"
    with pytest.raises(sr.SceneError, match=message) as info:
        sr.loads(yml)
    assert "nodes[0].tex" in str(info.value)


def test_tex_and_sympy_exclusive():
    with pytest.raises(sr.SceneError, match="not both"):
        sr.loads("nodes:\n  - {type: formula, tex: 'x', sympy: 'x'}\n")
    with pytest.raises(sr.SceneError, match="needs 'tex'"):
        sr.loads("nodes:\n  - {type: formula}\n")


def test_character_missing_from_the_fonts_is_an_error_at_render():
    scene = _scene(_formula("x + \U0001F600"))
    with pytest.raises(sr.SceneError, match=r"U\+1F600.*not in the font") as info:
        sr.render_frame(scene, 0)
    assert "tex" in str(info.value)


def test_font_without_math_table_is_rejected():
    scene = _scene(_formula("x", font="sans"))
    with pytest.raises(sr.SceneError, match="MATH table"):
        sr.render_frame(scene, 0)


def test_parser_handles_the_documented_subset():
    for tex in [r"\alpha\beta\gamma\Gamma\Omega", r"\pm\times\cdot\leq\geq\neq\approx\infty\partial\nabla\to",
                r"\cdots\ldots", r"\dfrac{1}{2}\tfrac{1}{2}", r"x_{i_1}^{2^k}", r"\prod_{p}\oint_C",
                r"\lim_{x\to 0}\sin x \cos x \log x \exp x \ln x", r"\hat a\bar b\vec c\dot d\tilde e",
                r"\left[ x \right] \left\{ x \right\} \left| x \right| \left\langle x \right\rangle",
                r"\begin{bmatrix}1&2\\3&4\end{bmatrix}", r"\begin{cases}1 & x>0\\0&\text{else}\end{cases}",
                r"a\,b\;c\quad d\qquad e\!f", r"{a+b}^2", r"\sqrt{x}\sqrt[n]{x}", r"\mathbb{R}\mathbf{v}"]:
        parse_tex(tex)
    assert r"\frac" in supported_commands() and r"\sqrt" in supported_commands()


# ------------------------------------------------------------------ YAML round trip

def test_round_trip_of_a_scene_with_formulas():
    scene = sr.Scene(canvas=sr.Canvas(width=320, height=200, fps=10, duration=1), nodes=[
        Formula(id="a", tex=r"\frac{1}{2}"),
        Formula(id="b", sympy="sqrt(x**2 + 1)/(2*pi)", display=False, size=sr.keys((0, 20), (1, 30)),
                fill="#1D3557", align="left", valign="baseline"),
        Formula(id="c", tex=r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", stroke=sr.Stroke(width=1.5, color="red"),
                transform=sr.Transform(position=(100, 50), rotation=10)),
    ])
    text = scene.dumps()
    again = sr.loads(text)
    assert again == scene
    assert again.dumps() == text
    assert "type: formula" in text


def test_formula_frames_identical_serial_and_in_worker_processes():
    import hashlib

    node = Formula(id="f", tex=r"\sum_{k=1}^{n} \frac{1}{k^2} \approx \sqrt{\frac{\pi^2}{6}}",
                   size=sr.keys((0, 18), (1, 26)), transform=sr.Transform(position=(100, 60)))
    scene = sr.Scene(canvas=sr.Canvas(width=200, height=120, fps=4, duration=1), nodes=[node])
    idx = [0, 1, 2, 3]
    serial = {i: hashlib.sha256(a.tobytes()).hexdigest() for i, a, _ in sr.iter_frames(scene, idx)}
    pooled = {i: hashlib.sha256(a.tobytes()).hexdigest() for i, a, _ in sr.iter_frames(scene, idx, workers=2,
                                                                                      chunk=2)}
    assert serial == pooled


@pytest.mark.parametrize("tex, drawn", [
    (r"\mathcal{A}", "\U0001D49C"), (r"\mathcal{L}", "\u2112"), (r"\mathscr{F}", "\u2131"),
    (r"\mathfrak{g}", "\U0001D524"), (r"\mathfrak{R}", "\u211C"), (r"\mathsf{x}", "\U0001D5D1"),
    (r"\mathtt{7}", "\U0001D7FD"), (r"\mathbb{1}", "\U0001D7D9")])
def test_math_alphabets_draw_the_unicode_math_letters(tex, drawn):
    """Each alphabet command draws the Mathematical Alphanumeric Symbols character (exactly as if it
    had been typed), not the plain letter; annotations keep the letter the author wrote."""
    as_command = sr.render_frame(_scene(_formula(tex, size=40)), 0)
    as_char = sr.render_frame(_scene(_formula(drawn, size=40)), 0)
    plain = sr.render_frame(_scene(_formula(tex.split("{")[1][0], size=40)), 0)
    assert np.array_equal(as_command, as_char)
    assert not np.array_equal(as_command, plain)
    _, obj = _annotation(_formula(tex, size=40))
    assert [s["char"] for s in obj["symbols"]] == [tex.split("{")[1][0]]


@pytest.mark.parametrize("tex, body", [
    (r"\overbrace{a+b+c}^{n}", "a+b+c"), (r"\overbrace{z}^{n}", "z"),
    (r"\underbrace{x+y}_{n}", "x+y"), (r"\underbrace{a+b+c+d+e+f+g+h+i+j}_{n}", "a+b+c+d+e+f+g+h+i+j")])
def test_braces_span_their_body_with_the_label_beyond(tex, body):
    """The brace (a size variant for short bodies, an assembly of parts for long ones) covers the body,
    clear of it, and the script sits centred beyond the brace."""
    over = tex.startswith(r"\over")
    _, obj = _annotation(_formula(tex, size=40), width=640, height=240)
    brace = _one(obj, "\u23de" if over else "\u23df")
    letters = [s["bbox"] for s in obj["symbols"] if s["char"] in body.replace("+", "\u2212+")]
    x0, x1 = min(b[0] for b in letters), max(b[2] for b in letters)
    top, bottom = min(b[1] for b in letters), max(b[3] for b in letters)
    label = _one(obj, "n")
    assert brace[0] <= x0 + 2 and brace[2] >= x1 - 2            # spans the body
    assert brace[2] - brace[0] <= (x1 - x0) + 40                 # without overshooting it much
    if over:
        assert brace[3] < top and label[3] < brace[1]
    else:
        assert brace[1] > bottom and label[1] > brace[3]
    assert abs((label[0] + label[2]) / 2 - (brace[0] + brace[2]) / 2) < 3


def test_brace_errors_and_listing():
    with pytest.raises(MathSyntaxError, match="overbrace"):
        parse_tex(r"\overbrace")
    assert r"\overbrace" in supported_commands() and r"\underbrace" in supported_commands()


def test_aligned_rows_meet_at_the_relation():
    _, obj = _annotation(_formula(r"\begin{aligned} p + q &= a + b + c \\ y &= z \end{aligned}", size=32),
                         width=640, height=200)
    eq1, eq2 = sorted((s["bbox"] for s in obj["symbols"] if s["char"] == "="), key=lambda b: b[1])
    assert abs(eq1[0] - eq2[0]) < 0.01 and eq2[1] > eq1[3]             # one column, the second row below
    q, y, p, a, z = (_one(obj, ch) for ch in "qypaz")
    assert abs(q[2] - y[2]) < 2 and y[0] > p[0] + 20                    # the left column is right-aligned
    assert eq1[0] - q[2] > 4 and eq2[0] - y[2] > 4                      # the relation keeps its spacing ...
    assert a[0] - eq1[2] > 4 and abs(a[0] - z[0]) < 2                   # ... and the right column starts after it


def test_gathered_rows_are_centred():
    _, obj = _annotation(_formula(r"\begin{gathered} a = 1 \\ b + c = 22 \end{gathered}", size=32),
                         width=640, height=200)
    (a,), (b,) = [[s["bbox"] for s in obj["symbols"] if s["char"] == ch] for ch in "ab"]
    (one,) = [s["bbox"] for s in obj["symbols"] if s["char"] == "1"]
    twos = [s["bbox"] for s in obj["symbols"] if s["char"] == "2"]
    row1 = (a[0] + one[2]) / 2
    row2 = (b[0] + max(t[2] for t in twos)) / 2
    assert abs(row1 - row2) < 2 and b[1] > a[3]
