"""CloudWatch Logs JSON filter patterns, parsed and applied to log events.

A JSON filter pattern is ``{ <expression> }``. An expression combines comparisons with ``&&`` and
``||`` (``&&`` binds tighter) and parentheses. A comparison is one of:

- ``$.path = value`` or ``!=``, ``<``, ``<=``, ``>``, ``>=``: the value is a quoted string, a bare word
  or number, or a ``%regular expression%``; ``*`` in a string is a wildcard for any text;
- ``$.path IS NULL``, ``$.path IS TRUE``, ``$.path IS FALSE``, ``$.path NOT EXISTS``.

Paths are ``$.a.b`` with ``[n]`` for array items. A comparison on a field the event does not have
never matches (whatever the operator). Text-term and space-delimited patterns are not JSON patterns:
``parse`` refuses them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PathPart = str | int


class PatternError(ValueError):
    """The text is not a JSON filter pattern this module understands."""


@dataclass(frozen=True)
class Literal:
    kind: str  # "quoted" | "bare" | "regex"
    text: str


@dataclass(frozen=True)
class Compare:
    path: tuple[PathPart, ...]
    op: str
    value: Literal


@dataclass(frozen=True)
class Test:
    path: tuple[PathPart, ...]
    kind: str  # "null" | "true" | "false" | "not_exists"


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


Node = Compare | Test | AllOf | AnyOf

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<punct>&&|\|\||!=|<=|>=|[{}()=<>])
      | (?P<selector>\$(?:\.[^\s.\[\]=!<>(){}&|"]+|\[\d+\])*)
      | (?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<regex>%(?:[^%\\]|\\.)+%)
      | (?P<bare>[^\s(){}&|=!<>"]+)
    )""",
    re.VERBOSE,
)
_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
_MISSING = object()


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PatternError(f"unexpected text at position {pos}: {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: Sequence[tuple[str, str]]) -> None:
        self.tokens = list(tokens)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise PatternError("the pattern ends too early")
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        kind, value = self.take()
        if value != text or kind not in ("punct", "bare"):
            raise PatternError(f"expected {text!r}, found {value!r}")

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "punct" and tok[1] == text

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self.at("||"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.primary()]
        while self.at("&&"):
            self.take()
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def primary(self) -> Node:
        if self.at("("):
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner
        kind, text = self.take()
        if kind != "selector":
            raise PatternError(f"expected a $. selector, found {text!r}")
        path = _path(text)
        kind, text = self.take()
        word = text.upper() if kind == "bare" else ""
        if word == "IS":
            _, what = self.take()
            test = {"NULL": "null", "TRUE": "true", "FALSE": "false"}.get(what.upper())
            if test is None:
                raise PatternError(f"IS must be followed by NULL, TRUE or FALSE, not {what!r}")
            return Test(path, test)
        if word == "NOT":
            self.expect_word("EXISTS")
            return Test(path, "not_exists")
        if kind != "punct" or text not in _OPERATORS:
            raise PatternError(f"expected a comparison operator after {path}, found {text!r}")
        vkind, vtext = self.take()
        if vkind == "quoted":
            return Compare(path, text, Literal("quoted", _unquote(vtext)))
        if vkind == "regex":
            return Compare(path, text, Literal("regex", vtext[1:-1].replace("\\%", "%")))
        if vkind == "bare":
            return Compare(path, text, Literal("bare", vtext))
        raise PatternError(f"expected a value after {text!r}, found {vtext!r}")

    def expect_word(self, word: str) -> None:
        _, text = self.take()
        if text.upper() != word:
            raise PatternError(f"expected {word}, found {text!r}")


def _path(selector: str) -> tuple[PathPart, ...]:
    parts: list[PathPart] = []
    for name, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", selector[1:]):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def parse(text: str) -> Node:
    """The expression of a JSON filter pattern; PatternError for anything else."""
    tokens = _tokens(text)
    if len(tokens) < 2 or tokens[0] != ("punct", "{") or tokens[-1] != ("punct", "}"):
        raise PatternError("not a JSON filter pattern (it must be enclosed in { })")
    parser = _Parser(tokens[1:-1])
    node = parser.expression()
    extra = parser.peek()
    if extra is not None:
        raise PatternError(f"unexpected {extra[1]!r} after a complete expression")
    return node


def _lookup(event: Any, path: tuple[PathPart, ...]) -> Any:
    value = event
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return _MISSING
            value = value[part]
        else:
            if not isinstance(value, Mapping) or part not in value:
                return _MISSING
            value = value[part]
    return value


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _glob(pattern: str, text: str) -> bool:
    regex = ".*".join(re.escape(piece) for piece in pattern.split("*"))
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _compare(actual: Any, op: str, literal: Literal) -> bool:
    if actual is _MISSING:
        return False
    if literal.kind == "regex":
        if op not in ("=", "!=") or not isinstance(actual, str):
            return False
        return (re.search(literal.text, actual) is not None) == (op == "=")
    number = _number(literal.text) if literal.kind == "bare" else None
    if number is not None and isinstance(actual, int | float) and not isinstance(actual, bool):
        return {
            "=": actual == number, "!=": actual != number, "<": actual < number,
            "<=": actual <= number, ">": actual > number, ">=": actual >= number,
        }[op]
    if op not in ("=", "!=") or isinstance(actual, dict | list) or actual is None:
        return False
    text = str(actual).lower() if isinstance(actual, bool) else str(actual)
    return _glob(literal.text, text) == (op == "=")


def matches(node: Node, event: Mapping[str, Any]) -> bool:
    """Whether a log event (a parsed JSON object) matches the expression."""
    if isinstance(node, AllOf):
        return all(matches(p, event) for p in node.parts)
    if isinstance(node, AnyOf):
        return any(matches(p, event) for p in node.parts)
    value = _lookup(event, node.path)
    if isinstance(node, Test):
        if node.kind == "not_exists":
            return value is _MISSING
        expected = {"null": None, "true": True, "false": False}[node.kind]
        return value is not _MISSING and value is expected
    return _compare(value, node.op, node.value)
