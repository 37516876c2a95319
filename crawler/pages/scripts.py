"""What a `javascript:` link opens, computed from the page's own inline scripts, by structure.

A tab of a unit's navigation (`javascript:changeClass('3fa1…','政策法规',1)`) has no address, but
the function it calls, defined in the page, hands a list or pager plugin the address of the list's
data (`$("#pageShow").pagination({dataUrl: "list_date_article.jhtml?classid=" + classId, …})`).
With the call's literal arguments bound to the function's parameters, that address is exact. Only
what is certain is computed: every argument a string or number literal, the value of the list key
string literals and parameters joined by `+` (nothing else on it), and one such address in the
function; a count URL (`countUrl`), an intro `.load(…)` or anything built from another variable
gives none, so the caller keeps the link as opening by script."""
from __future__ import annotations

import re

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
_CLOSE = {q: re.compile(rf"(?:[^{q}\\\n]|\\.)*{q}") for q in "'\""}
_TOKEN = re.compile(r"""[{}'"]|//|/\*""")      # what a function body's braces are counted between
_ESCAPE = re.compile(r"\\(.)")
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
    built = {_joined(body, key.end(), bound) for key in _KEY.finditer(body)}
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


def _block(text: str, start: int) -> str:
    """The text from `start` (just after a `{`) to its matching `}`, strings and comments skipped;
    at most _MAX_BODY characters."""
    depth, at, end = 1, start, min(len(text), start + _MAX_BODY)
    while (token := _TOKEN.search(text, at, end)) is not None:
        mark, at = token.group(), token.end()
        if mark in _CLOSE:
            close = _CLOSE[mark].match(text, at, end)
            at = close.end() if close else at
        elif mark == "//":
            newline = text.find("\n", at, end)
            at = newline if newline >= 0 else end
        elif mark == "/*":
            close_at = text.find("*/", at, end)
            at = close_at + 2 if close_at >= 0 else end
        else:
            depth += 1 if mark == "{" else -1
            if depth == 0:
                return text[start:token.start()]
    return text[start:end]
