"""Parser for the LaTeX math subset of the ``formula`` node: source string -> small math AST.

The parser is a hand-written recursive descent over the characters of the string; it never
evaluates anything. Every error is a :class:`MathSyntaxError` carrying the character position,
which the node turns into a ``SceneError`` on its ``tex`` (or ``sympy``) field.
"""
from __future__ import annotations

from dataclasses import dataclass

from symbolreel.errors import did_you_mean

MAX_TEX_LENGTH = 4000
MAX_DEPTH = 40


class MathSyntaxError(ValueError):
    """A problem in a formula string; ``pos`` is the 0-based character index."""

    def __init__(self, message: str, pos: int, detail: str = ""):
        self.message, self.pos, self.detail = message, pos, detail
        super().__init__(f"{message} at character {pos}{detail}")


# ------------------------------------------------------------------------- AST

@dataclass
class Sym:
    """One symbol: ``text`` is what is drawn (before math-alphabet mapping), ``source`` what it means."""

    text: str
    cls: str = "ord"            # ord op bin rel open close punct inner
    source: str = ""
    alphabet: str = "it"        # it (letters italic), rm (upright), bf, bb, cal, frak, sf, tt


@dataclass
class Group:
    items: list


@dataclass
class Frac:
    num: object
    den: object
    style: str = ""             # "", "d" (\dfrac), "t" (\tfrac)
    rule: bool = True           # False for \binom
    delims: tuple = ()          # ("(", ")") for \binom


@dataclass
class Sqrt:
    body: object
    index: object = None


@dataclass
class Op:
    """Big operator (``text`` is one character) or operator name (\\sin, \\lim: ``name``)."""

    text: str = ""
    name: str = ""
    limits: bool | None = None  # None: default (display style decides)
    big: bool = True


@dataclass
class Scripts:
    base: object
    sup: object = None
    sub: object = None


@dataclass
class Accent:
    accent: str                 # combining accent character, or "overline"/"underline"
    source: str
    body: object


@dataclass
class Brace:
    over: bool                  # \overbrace (True) or \underbrace
    body: object


@dataclass
class Delimited:
    left: str                   # "" for "." (no delimiter)
    body: object
    right: str


@dataclass
class Matrix:
    env: str
    rows: list                  # list of rows, each a list of Group


@dataclass
class TextRun:
    text: str


@dataclass
class Space:
    em: float = 0.0
    mu: float = 0.0


# --------------------------------------------------------------------- tables

GREEK_LOWER = ["alpha", "beta", "gamma", "delta", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
               "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "varsigma", "sigma", "tau", "upsilon",
               "varphi", "chi", "psi", "omega"]
GREEK_UPPER = {"Gamma": "\u0393", "Delta": "\u0394", "Theta": "\u0398", "Lambda": "\u039b", "Xi": "\u039e",
               "Pi": "\u03a0", "Sigma": "\u03a3", "Upsilon": "\u03a5", "Phi": "\u03a6", "Psi": "\u03a8",
               "Omega": "\u03a9"}

SYMBOLS: dict = {}
for _i, _n in enumerate(GREEK_LOWER):
    SYMBOLS[_n] = (chr(0x3B1 + _i), "ord")
SYMBOLS.update({"epsilon": ("\u03f5", "ord"), "vartheta": ("\u03d1", "ord"), "phi": ("\u03d5", "ord"),
                "varpi": ("\u03d6", "ord"), "varrho": ("\u03f1", "ord"), "varkappa": ("\u03f0", "ord")})
for _n, _c in GREEK_UPPER.items():
    SYMBOLS[_n] = (_c, "ord")
_REL = {"leq": "\u2264", "le": "\u2264", "geq": "\u2265", "ge": "\u2265", "neq": "\u2260", "ne": "\u2260",
        "approx": "\u2248", "equiv": "\u2261", "sim": "\u223c", "simeq": "\u2243", "cong": "\u2245",
        "propto": "\u221d", "to": "\u2192", "rightarrow": "\u2192", "leftarrow": "\u2190", "gets": "\u2190",
        "Rightarrow": "\u21d2", "Leftarrow": "\u21d0", "Leftrightarrow": "\u21d4", "leftrightarrow": "\u2194",
        "implies": "\u27f9", "iff": "\u27fa", "mapsto": "\u21a6", "in": "\u2208", "notin": "\u2209",
        "ni": "\u220b", "subset": "\u2282", "subseteq": "\u2286", "supset": "\u2283", "supseteq": "\u2287",
        "ll": "\u226a", "gg": "\u226b", "perp": "\u27c2", "parallel": "\u2225", "mid": "\u2223",
        "prec": "\u227a", "succ": "\u227b", "doteq": "\u2250"}
_BIN = {"pm": "\u00b1", "mp": "\u2213", "times": "\u00d7", "div": "\u00f7", "cdot": "\u22c5", "ast": "\u2217",
        "star": "\u22c6", "circ": "\u2218", "bullet": "\u2219", "cup": "\u222a", "cap": "\u2229",
        "wedge": "\u2227", "land": "\u2227", "vee": "\u2228", "lor": "\u2228", "setminus": "\u2216",
        "oplus": "\u2295", "ominus": "\u2296", "otimes": "\u2297", "odot": "\u2299"}
_ORD = {"infty": "\u221e", "partial": "\u2202", "nabla": "\u2207", "hbar": "\u210f", "ell": "\u2113",
        "emptyset": "\u2205", "varnothing": "\u2205", "forall": "\u2200", "exists": "\u2203", "neg": "\u00ac",
        "lnot": "\u00ac", "prime": "\u2032", "angle": "\u2220", "triangle": "\u25b3", "cdots": "\u22ef",
        "ldots": "\u2026", "dots": "\u2026", "vdots": "\u22ee", "ddots": "\u22f1", "degree": "\u00b0",
        "aleph": "\u2135", "Re": "\u211c", "Im": "\u2111", "top": "\u22a4", "bot": "\u22a5",
        "vert": "|", "Vert": "\u2016", "|": "\u2016", "%": "%", "$": "$", "#": "#", "&": "&", "_": "_",
        "square": "\u25a1", "checkmark": "\u2713"}
_OPEN = {"{": "{", "langle": "\u27e8", "lfloor": "\u230a", "lceil": "\u2308", "lbrace": "{", "lbrack": "["}
_CLOSE = {"}": "}", "rangle": "\u27e9", "rfloor": "\u230b", "rceil": "\u2309", "rbrace": "}", "rbrack": "]"}
for _table, _cls in ((_REL, "rel"), (_BIN, "bin"), (_ORD, "ord"), (_OPEN, "open"), (_CLOSE, "close")):
    for _n, _c in _table.items():
        SYMBOLS[_n] = (_c, _cls)
SYMBOLS["colon"] = (":", "punct")

# big operators: name -> (character, limits by default in display style)
BIG_OPS = {"sum": ("\u2211", True), "prod": ("\u220f", True), "coprod": ("\u2210", True),
           "int": ("\u222b", False), "iint": ("\u222c", False), "iiint": ("\u222d", False),
           "oint": ("\u222e", False), "bigcup": ("\u22c3", True), "bigcap": ("\u22c2", True),
           "bigvee": ("\u22c1", True), "bigwedge": ("\u22c0", True), "bigoplus": ("\u2a01", True),
           "bigotimes": ("\u2a02", True), "bigodot": ("\u2a00", True)}
# operator names: name -> limits in display style
FUNCTIONS = {"sin": False, "cos": False, "tan": False, "cot": False, "sec": False, "csc": False,
             "arcsin": False, "arccos": False, "arctan": False, "sinh": False, "cosh": False, "tanh": False,
             "coth": False, "log": False, "ln": False, "lg": False, "exp": False, "arg": False, "deg": False,
             "dim": False, "ker": False, "hom": False, "det": True, "gcd": True, "max": True, "min": True,
             "sup": True, "inf": True, "lim": True, "limsup": True, "liminf": True, "Pr": True}
FUNCTION_TEXT = {"limsup": "lim\u2009sup", "liminf": "lim\u2009inf"}

# accents: name -> (combining character drawn, spacing character reported in annotations)
ACCENTS = {"hat": ("\u0302", "\u02c6"), "widehat": ("\u0302", "\u02c6"), "bar": ("\u0304", "\u00af"),
           "vec": ("\u20d7", "\u2192"), "dot": ("\u0307", "\u02d9"), "ddot": ("\u0308", "\u00a8"),
           "tilde": ("\u0303", "\u02dc"), "widetilde": ("\u0303", "\u02dc"), "check": ("\u030c", "\u02c7"),
           "breve": ("\u0306", "\u02d8"), "acute": ("\u0301", "\u00b4"), "grave": ("\u0300", "`")}

SPACES = {",": Space(mu=3), ":": Space(mu=4), ">": Space(mu=4), ";": Space(mu=5), "!": Space(mu=-3),
          " ": Space(em=0.25), "quad": Space(em=1.0), "qquad": Space(em=2.0), "thinspace": Space(mu=3),
          "medspace": Space(mu=4), "thickspace": Space(mu=5)}

# delimiters allowed after \left / \right and as matrix fences
DELIMS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", ".": "", "\\{": "{", "\\}": "}",
          "\\lbrace": "{", "\\rbrace": "}", "\\langle": "\u27e8", "\\rangle": "\u27e9", "\\|": "\u2016",
          "\\vert": "|", "\\Vert": "\u2016", "\\lfloor": "\u230a", "\\rfloor": "\u230b", "\\lceil": "\u2308",
          "\\rceil": "\u2309", "\\lbrack": "[", "\\rbrack": "]"}

ENVIRONMENTS = {"matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
                "vmatrix": ("|", "|"), "Vmatrix": ("\u2016", "\u2016"), "cases": ("{", ""),
                "aligned": ("", ""), "gathered": ("", "")}

STRUCTURE = ("frac", "dfrac", "tfrac", "binom", "sqrt", "left", "right", "begin", "end", "text", "mathrm",
             "mathit", "mathbf", "mathbb", "mathcal", "mathscr", "mathfrak", "mathsf", "mathtt", "operatorname",
             "limits", "nolimits", "overline", "underline", "overbrace", "underbrace")

# \mathxx{...} -> the alphabet its letters are drawn from (\mathscr is drawn as \mathcal: one script
# alphabet in Unicode)
_ALPHABET_COMMANDS = {"mathrm": "rm", "mathit": "it", "mathbf": "bf", "mathbb": "bb", "mathcal": "cal",
                      "mathscr": "cal", "mathfrak": "frak", "mathsf": "sf", "mathtt": "tt"}

# ASCII characters usable directly, with their atom class
ASCII_CLASS = {"+": "bin", "-": "bin", "*": "bin", "=": "rel", "<": "rel", ">": "rel", ":": "rel",
               "(": "open", "[": "open", ")": "close", "]": "close", "!": "close", "?": "close",
               ",": "punct", ";": "punct", ".": "ord", "/": "ord", "|": "ord", "@": "ord", '"': "ord"}
ASCII_DRAW = {"-": "\u2212", "*": "\u2217"}
UNICODE_CLASS = {"\u00b1": "bin", "\u2213": "bin", "\u00d7": "bin", "\u00f7": "bin", "\u22c5": "bin",
                 "\u00b7": "bin", "\u2212": "bin", "\u2264": "rel", "\u2265": "rel", "\u2260": "rel",
                 "\u2248": "rel", "\u2261": "rel", "\u2192": "rel", "\u2208": "rel"}


def supported_commands() -> list:
    names = set(SYMBOLS) | set(BIG_OPS) | set(FUNCTIONS) | set(ACCENTS) | set(SPACES) | set(STRUCTURE)
    return sorted("\\" + n for n in names if n.isalpha()) + ["\\" + c for c in ",:;!{}|%$#&_"] + ["\\\\"]


# ----------------------------------------------------------------------- parser

class _Parser:
    def __init__(self, src: str):
        self.s = src
        self.i = 0
        self.depth = 0
        self.alphabet = "it"

    # -- low level
    def err(self, msg, pos=None, detail=""):
        raise MathSyntaxError(msg, self.i if pos is None else pos, detail)

    def skip_ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t\n":
            self.i += 1

    def peek(self) -> str:
        self.skip_ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def peek_command(self) -> str:
        """Name of the command at the cursor ('' if none), without consuming it."""
        self.skip_ws()
        if self.i < len(self.s) and self.s[self.i] == "\\":
            j = self.i + 1
            if j < len(self.s) and self.s[j].isalpha():
                while j < len(self.s) and self.s[j].isalpha():
                    j += 1
                return self.s[self.i + 1:j]
            return self.s[j:j + 1]
        return ""

    def read_command(self) -> tuple:
        """Consume ``\\name`` (or ``\\`` + one symbol); returns (name, start position)."""
        start = self.i
        name = self.peek_command()
        if not name:
            self.err("a lone backslash", start)
        self.i = start + 1 + len(name)
        return name, start

    def expect(self, ch: str, what: str):
        if self.peek() != ch:
            found = repr(self.s[self.i]) if self.i < len(self.s) else "the end of the formula"
            self.err(f"expected '{ch}' {what}, found {found}")
        self.i += 1

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.err(f"formula nested too deeply (more than {MAX_DEPTH} levels)")

    # -- grammar
    def parse(self) -> Group:
        items = self.parse_list(())
        if self.i < len(self.s):
            ch = self.s[self.i]
            if ch == "}":
                self.err("unbalanced '}' (no matching '{')")
            if ch == "&" or self.s.startswith("\\\\", self.i):
                self.err(f"'{ch if ch == '&' else chr(92) * 2}' is only allowed inside "
                         "\\begin{matrix}...\\end{matrix} (or pmatrix, bmatrix, cases, ...)")
            name = self.peek_command()
            if name == "right":
                self.err("\\right without a matching \\left")
            if name == "end":
                self.err("\\end without a matching \\begin")
            self.err(f"unexpected {ch!r}")
        return Group(items)

    def parse_list(self, stops) -> list:
        """Atoms until one of ``stops`` ('}', ']', '&', 'cr', 'right', 'end') or the end."""
        self.enter()
        items = []
        while True:
            ch = self.peek()
            if not ch:
                break
            if ch == "}" or (ch == "]" and "]" in stops) or ch == "&":
                break
            if ch == "\\":
                name = self.peek_command()
                if name in ("right", "end") or (name == "\\"):
                    break
            atom = self.parse_atom()
            if atom is None:
                continue
            items.append(self.parse_scripts(atom))
        self.depth -= 1
        return items

    def parse_scripts(self, atom):
        sup = sub = None
        while True:
            ch = self.peek()
            if isinstance(atom, Op) and self.peek_command() in ("limits", "nolimits"):
                name, _ = self.read_command()
                atom.limits = name == "limits"
                continue
            if ch == "'":
                self.i += 1
                prime = Sym("\u2032", "ord", "\u2032", "rm")
                if sup is None:
                    sup = Group([prime])
                elif isinstance(sup, Group):
                    sup.items.insert(0, prime)
                continue
            if ch not in ("^", "_"):
                break
            pos = self.i
            self.i += 1
            arg = self.parse_argument("^" if ch == "^" else "_")
            if ch == "^":
                if sup is not None:
                    self.err("double superscript (use braces: x^{ab} or {x^a}^b)", pos)
                sup = arg
            else:
                if sub is not None:
                    self.err("double subscript (use braces: x_{ab} or {x_a}_b)", pos)
                sub = arg
        if sup is None and sub is None:
            return atom
        return Scripts(atom, sup, sub)

    def parse_argument(self, what: str):
        """A braced group or a single token (as TeX takes macro arguments)."""
        ch = self.peek()
        if not ch:
            self.err(f"missing argument after {what}")
        if ch == "{":
            return self.parse_group()
        if ch in "}&^_":
            self.err(f"missing argument after {what}, found {ch!r}")
        atom = self.parse_atom()
        return Group([] if atom is None else [atom])

    def parse_group(self) -> Group:
        start = self.i
        self.expect("{", "to open a group")
        items = self.parse_list(("}",))
        if self.peek() != "}":
            if self.i >= len(self.s):
                self.err("unbalanced '{' (missing '}')", start)
            self.err(f"unexpected {self.s[self.i]!r} inside the group opened at character {start}")
        self.i += 1
        return Group(items)

    def parse_atom(self):
        ch = self.peek()
        start = self.i
        if ch == "{":
            return self.parse_group()
        if ch == "\\":
            return self.parse_command()
        if ch in "^_":
            self.err(f"'{ch}' needs something before it (write {{}}{ch}x for a script on nothing)")
        if ch in "$":
            self.err("'$' is not needed: the whole string is already math")
        if ch in "#%~" or ord(ch) < 32:
            if ch == "~":
                self.i += 1
                return Space(em=0.25)
            self.err(f"unsupported character {ch!r}")
        if ch == "]":
            self.i += 1
            return Sym("]", "close", "]")
        self.i += 1
        if ch.isascii() and ch.isalpha():
            return Sym(ch, "ord", ch, self.alphabet)
        if ch.isdigit():   # digits stay upright unless the alphabet has digits of its own
            return Sym(ch, "ord", ch, self.alphabet if self.alphabet in ("bf", "bb", "sf", "tt") else "rm")
        if ch in ASCII_CLASS:
            return Sym(ASCII_DRAW.get(ch, ch), ASCII_CLASS[ch], ch, "rm")
        if ch.isascii():
            self.err(f"unsupported character {ch!r}", start)
        return Sym(ch, UNICODE_CLASS.get(ch, "ord"), ch, self.alphabet if ch.isalpha() else "rm")

    def parse_command(self):
        name, start = self.read_command()
        if name in SYMBOLS:
            text, cls = SYMBOLS[name]
            alphabet = self.alphabet if name in GREEK_LOWER or name in ("epsilon", "vartheta", "phi", "varpi",
                                                                         "varrho", "varkappa") else "rm"
            return Sym(text, cls, text, alphabet)
        if name in SPACES:
            return SPACES[name]
        if name in BIG_OPS:
            return Op(text=BIG_OPS[name][0], limits=None if BIG_OPS[name][1] else False, big=True)
        if name in FUNCTIONS:
            return Op(name=FUNCTION_TEXT.get(name, name), limits=None if FUNCTIONS[name] else False, big=False)
        if name in ACCENTS:
            body = self.parse_argument("\\" + name)
            return Accent(ACCENTS[name][0], ACCENTS[name][1], body)
        if name in ("overline", "underline"):
            return Accent(name, name, self.parse_argument("\\" + name))
        if name in ("overbrace", "underbrace"):
            return Brace(name == "overbrace", self.parse_argument("\\" + name))
        if name in ("frac", "dfrac", "tfrac"):
            num = self.parse_argument("\\" + name)
            den = self.parse_argument("\\" + name + "{...}")
            return Frac(num, den, {"frac": "", "dfrac": "d", "tfrac": "t"}[name])
        if name == "binom":
            num = self.parse_argument("\\binom")
            den = self.parse_argument("\\binom{...}")
            return Frac(num, den, "", rule=False, delims=("(", ")"))
        if name == "sqrt":
            index = None
            if self.peek() == "[":
                self.i += 1
                index = Group(self.parse_list(("]",)))
                if self.peek() != "]":
                    self.err("unbalanced '[' in \\sqrt[...] (missing ']')", start)
                self.i += 1
            return Sqrt(self.parse_argument("\\sqrt"), index)
        if name == "left":
            return self.parse_left(start)
        if name == "right":
            self.err("\\right without a matching \\left", start)
        if name == "begin":
            return self.parse_env(start)
        if name == "end":
            self.err("\\end without a matching \\begin", start)
        if name == "\\":
            self.err("'\\\\' (new row) is only allowed inside \\begin{matrix}...\\end{matrix} "
                     "(or pmatrix, bmatrix, cases, ...)", start)
        if name in ("text", "operatorname") or name in _ALPHABET_COMMANDS:
            if name == "text":
                return TextRun(self.read_raw_group(name))
            if name == "operatorname":
                text = self.read_raw_group(name)
                if not text.replace(" ", "").isalpha() or not text.strip():
                    self.err("\\operatorname{...} takes letters only", start)
                return Op(name=text.strip(), limits=False, big=False)
            saved = self.alphabet
            self.alphabet = _ALPHABET_COMMANDS[name]
            try:
                body = self.parse_argument("\\" + name)
            finally:
                self.alphabet = saved
            return body
        if name in ("limits", "nolimits"):
            self.err(f"\\{name} must follow a big operator such as \\sum or \\int", start)
        hint = did_you_mean("\\" + name, supported_commands())
        self.err(f"unknown command \\{name}", start, f"{hint}; supported: {', '.join(supported_commands())}")

    def read_raw_group(self, name) -> str:
        """The literal text of ``{...}`` after \\text (nested braces allowed, no commands)."""
        if self.peek() != "{":
            self.err(f"\\{name} needs a braced argument, like \\{name}{{...}}")
        start = self.i
        self.i += 1
        depth, out = 1, []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\":
                nxt = self.s[self.i + 1:self.i + 2]
                if nxt in ("{", "}", "\\", "_", "%", "$", "#", "&", " "):
                    out.append(" " if nxt == " " else nxt)
                    self.i += 2
                    continue
                self.err(f"commands are not supported inside \\{name}{{...}}")
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return "".join(out)
            else:
                if ord(c) < 32 and c not in "\t\n":
                    self.err(f"unsupported character {c!r} in \\{name}")
                out.append(" " if c in "\t\n" else c)
            self.i += 1
        self.err("unbalanced '{' (missing '}')", start)

    def read_delim(self, after: str) -> str:
        self.skip_ws()
        pos = self.i
        if self.i >= len(self.s):
            self.err(f"{after} needs a delimiter such as ( [ \\{{ | \\langle or .")
        if self.s[self.i] == "\\":
            name, _ = self.read_command()
            key = "\\" + name
        else:
            key = self.s[self.i]
            self.i += 1
        if key not in DELIMS:
            self.err(f"{key!r} cannot follow {after}; use one of {' '.join(sorted(DELIMS))}", pos)
        return DELIMS[key]

    def parse_left(self, start):
        left = self.read_delim("\\left")
        body = Group(self.parse_list(("right",)))
        if self.peek_command() != "right":
            if self.i < len(self.s) and self.s[self.i] == "}":
                self.err(f"'}}' closes a group before the \\right of the \\left at character {start}")
            self.err("\\left has no matching \\right", start)
        self.read_command()
        right = self.read_delim("\\right")
        return Delimited(left, body, right)

    def read_env_name(self, what) -> str:
        if self.peek() != "{":
            self.err(f"\\{what} needs an environment name, like \\{what}{{pmatrix}}")
        j = self.s.find("}", self.i)
        if j < 0:
            self.err("unbalanced '{' (missing '}')")
        name = self.s[self.i + 1:j].strip()
        self.i = j + 1
        return name

    def parse_env(self, start):
        env = self.read_env_name("begin")
        if env not in ENVIRONMENTS:
            self.err(f"unknown environment '{env}'", start, f"; supported: {', '.join(sorted(ENVIRONMENTS))}")
        self.enter()
        rows, row = [], []
        while True:
            cell = Group(self.parse_list(("&", "cr", "end")))
            row.append(cell)
            ch = self.peek()
            if ch == "&":
                self.i += 1
                continue
            name = self.peek_command()
            if name == "\\":
                self.read_command()
                rows.append(row)
                row = []
                continue
            if name == "end":
                pos = self.i
                self.read_command()
                end = self.read_env_name("end")
                if end != env:
                    self.err(f"\\begin{{{env}}} at character {start} is closed by \\end{{{end}}}", pos)
                rows.append(row)
                break
            if ch == "}":
                self.err(f"unbalanced '}}' inside \\begin{{{env}}}")
            if name == "right":
                self.err(f"\\right inside \\begin{{{env}}} before its \\end")
            self.err(f"\\begin{{{env}}} has no matching \\end{{{env}}}", start)
        self.depth -= 1
        # a trailing \\ leaves an empty last row: drop it
        if len(rows) > 1 and len(rows[-1]) == 1 and not rows[-1][0].items:
            rows.pop()
        if env == "cases" and any(len(r) > 2 for r in rows):
            self.err("cases rows have at most two columns (value & condition)", start)
        return Matrix(env, rows)


def parse_tex(tex: str) -> Group:
    """Parse the LaTeX math subset; raises :class:`MathSyntaxError` naming the character position."""
    if not isinstance(tex, str):
        raise MathSyntaxError("expected a string", 0)
    if len(tex) > MAX_TEX_LENGTH:
        raise MathSyntaxError(f"formula too long ({len(tex)} characters, at most {MAX_TEX_LENGTH})",
                              MAX_TEX_LENGTH)
    return _Parser(tex).parse()
