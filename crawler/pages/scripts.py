"""What a `javascript:` link opens, computed from the page's own inline scripts, by structure.

A tab of a unit's navigation (`javascript:changeClass('3fa1…','政策法规',1)`) has no address, but
the function it calls, defined in the page, hands a list or pager plugin the address of the list's
data (`$("#pageShow").pagination({dataUrl: "list_date_article.jhtml?classid=" + classId, …})`).
With the call's literal arguments bound to the function's parameters, that address is exact. Only
what is certain is computed: every argument a string or number literal, the value of the list key
string literals and parameters joined by `+` (nothing else on it), and one such address in the
function, in a branch that the `if`/`else` around it say runs for these arguments (`if (classType
== 2) {…load(intro)} else {…dataUrl…}`: a parameter compared with a literal); a count URL
(`countUrl`), an intro `.load(…)`, a condition on anything else or a value built from another
variable gives none, so the caller keeps the link as opening by script."""
from __future__ import annotations

import re
from typing import Iterator

#: keys under which list and pager plugins take the address of a list's data (jQuery pagination
#: plugins `dataUrl`/`listUrl`, `$.ajax`/laypage `url`), any case; `countUrl` and the like are no list
LIST_DATA_KEYS = ("dataurl", "listurl", "url")

_CALL = re.compile(r"^\s*javascript:\s*(?:[\w$]+\.)*([\w$]+)\((.*)\)\s*;?\s*$", re.S | re.I)
_STRING = r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)\""""
_ARG = re.compile(rf"\s*(?:{_STRING}|(-?\d+(?:\.\d+)?)|[^,'\"]*?)\s*(,|$)")
_TERM = re.compile(rf"\s*(?:{_STRING}|([A-Za-z_$][\w$]*))[ \t]*")
_PLUS = re.compile(r"\s*\+(?!\+)")
_END = re.compile(r"[ \t]*(?:[,;})\r\n]|//|/\*|$)")
_KEY = re.compile(rf"""(?<![\w$.])["']?(?:{"|".join(LIST_DATA_KEYS)})["']?\s*:(?!:)""", re.I)
# a string, a comment or a brace: braces are counted, keys read, outside strings and comments
_CODE = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?(?:\*/|$)|[{}]""", re.S)
_ESCAPE = re.compile(r"\\(.)")
_IF = re.compile(r"(\belse\s+)?\bif\s*\(([^{};]*)\)\s*$")     # the head of an `if (…) {` block
_ELSE = re.compile(r"\belse\s*$")
_COMPARE = re.compile(r"\s*(.+?)\s*(?:===?|(!==?))\s*(.+?)\s*")
_LITERAL = re.compile(rf"{_STRING}|(-?\d+(?:\.\d+)?)")
_HEAD = 200             # characters before a block's `{` read for its `if (…)` or `else`
_MAX_BODY = 5000        # characters of a function body read (a tab's handler is a few lines)


def script_call(href: str) -> tuple[str, list[str | None]] | None:
    """(function name, its arguments) of a `javascript:f(…)` link; an argument that is no string or
    number literal is None."""
    call = _CALL.match(href)
    if call is None:
        return None
    text, args, at = call.group(2), [], 0
    while text.strip():
        arg = _ARG.match(text, at)
        if arg is None:
            return None
        single, double, number, comma = arg.groups()
        literal = single if single is not None else double
        args.append(_ESCAPE.sub(r"\1", literal) if literal is not None else number)
        if not comma:
            break
        at = arg.end()
    return call.group(1), args


def script_function(scripts: str, name: str) -> tuple[list[str], str] | None:
    """(parameters, body) of `function name(…) {…}` or `name = function(…) {…}` in the scripts."""
    found = re.search(rf"(?:\bfunction\s+{re.escape(name)}|(?<![\w$.]){re.escape(name)}\s*=\s*function)"
                      r"\s*\(([^)]*)\)\s*\{", scripts)
    if found is None:
        return None
    params = [p.strip() for p in found.group(1).split(",") if p.strip()]
    return params, _block(scripts, found.end())


def list_data_url(scripts: str, href: str) -> str | None:
    """The list data address (relative as written) that the function a `javascript:` link calls
    hands a list plugin, with the call's arguments in place; None unless exactly one is certain."""
    call = script_call(href)
    defined = script_function(scripts, call[0]) if call else None
    if call is None or defined is None:
        return None
    params, body = defined
    bound = dict(zip(params, call[1]))
    comments = [c.span() for c in _CODE.finditer(body) if c.group()[:1] == "/"]
    built = set()
    for key in _KEY.finditer(body):
        if any(start <= key.start() < end for start, end in comments):
            continue
        runs = _runs(body, key.start(), bound)
        if runs is not False:
            built.add(_joined(body, key.end(), bound) if runs else None)
    return built.pop() if len(built) == 1 else None


def _joined(body: str, at: int, bound: dict[str, str | None]) -> str | None:
    """The value of `"a" + p + "b"` at `at` with the parameters bound; None when a term is another
    variable or a parameter without a literal argument, when anything but the end of the value
    follows, or when no parameter is in it (the same address for every tab)."""
    parts: list[str] = []
    used = False
    while True:
        term = _TERM.match(body, at)
        if term is None:
            return None
        single, double, name = term.groups()
        if name is not None:
            if bound.get(name) is None:
                return None
            parts.append(bound[name])
            used = True
        else:
            parts.append(_ESCAPE.sub(r"\1", single if single is not None else double))
        at = term.end()
        plus = _PLUS.match(body, at)
        if plus is None:
            break
        at = plus.end()
    return "".join(parts) if used and _END.match(body, at) else None


def _braces(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """(position, `{` or `}`) of the braces in text[start:end] outside strings and comments."""
    for token in _CODE.finditer(text, start, end):
        if token.group() in ("{", "}"):
            yield token.start(), token.group()


def _block(text: str, start: int) -> str:
    """The text from `start` (just after a `{`) to its matching `}`; at most _MAX_BODY characters."""
    depth, end = 1, min(len(text), start + _MAX_BODY)
    for at, mark in _braces(text, start, end):
        depth += 1 if mark == "{" else -1
        if depth == 0:
            return text[start:at]
    return text[start:end]


def _runs(body: str, at: int, bound: dict[str, str | None]) -> bool | None:
    """Whether the code at `at` runs for the bound parameters, as the `if`/`else` blocks around it
    say; None when one of their conditions cannot be told. Other blocks (a callback, an object) run."""
    opened: list[int] = []
    closed: dict[int, int] = {}         # a block's `}` -> its `{`
    for pos, mark in _braces(body, 0, at):
        if mark == "{":
            opened.append(pos)
        elif opened:
            closed[pos] = opened.pop()
    for brace in opened:
        head = body[max(0, brace - _HEAD):brace]
        cond, other = _IF.search(head), _ELSE.search(head)
        if cond is not None:
            runs = _holds(cond.group(2), bound)
            if runs and cond.group(1):  # `else if (c)`: the conditions before it fail, too
                runs = _earlier_fail(body, brace - len(head) + cond.start(), closed, bound)
        elif other is not None:
            runs = _earlier_fail(body, brace - len(head) + other.start(), closed, bound)
        else:
            continue
        if runs is not True:
            return runs
    return True


def _earlier_fail(body: str, at_else: int, closed: dict[int, int], bound: dict[str, str | None]) -> bool | None:
    """Whether every condition of the `if … else if …` chain before the `else` at `at_else` fails."""
    close = len(body[:at_else].rstrip()) - 1
    opener = closed.get(close)
    head = body[max(0, opener - _HEAD):opener] if opener is not None else ""
    cond = _IF.search(head)
    if cond is None:
        return None
    held = _holds(cond.group(2), bound)
    if held is not False:
        return None if held is None else False
    return _earlier_fail(body, opener - len(head) + cond.start(), closed, bound) if cond.group(1) else True


def _holds(condition: str, bound: dict[str, str | None]) -> bool | None:
    """A parameter compared with a literal (`classType == 2`, `'list' !== kind`) for the bound
    values (as loosely as `==`); None for any other condition."""
    compared = _COMPARE.fullmatch(condition)
    if compared is None:
        return None
    left, negated, right = compared.groups()
    values = [_value(side, bound) for side in (left, right)]
    if None in values:
        return None
    a, b = values
    try:
        same = float(a) == float(b)
    except ValueError:
        same = a == b
    return same != bool(negated)


def _value(side: str, bound: dict[str, str | None]) -> str | None:
    """A literal's value, or a bound parameter's."""
    literal = _LITERAL.fullmatch(side)
    if literal is None:
        return bound.get(side)
    single, double, number = literal.groups()
    return _ESCAPE.sub(r"\1", single if single is not None else double) if number is None else number
