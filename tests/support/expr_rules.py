"""A small evaluator of the part of expr (github.com/expr-lang/expr) that Argo's SSO RBAC rules use, so
tests can ask "does this rule let this user in?" instead of comparing text.

It follows expr where our rules go: the lexer's string literals (single or double quotes, a backslash
escaping the next character, no raw newline, then expr's `unescape`: \\a \\b \\f \\n \\r \\t \\v \\\\ \\' \\" \\` \\?,
\\x, \\u, \\U and three-digit octal), identifiers, `true`/`false`/`nil`, array literals, `in` and
`not in`, `==`/`!=`, `!`/`not`, `&&`/`and`, `||`/`or` and parentheses. Like argo-server, which
compiles each rule with the claims as its environment (`expr.Compile(rule, expr.Env(claims))`), a
name that is not a claim is an error, and so is a result that is not a bool. Anything else fails
loudly rather than answer wrongly. tests/integration/test_sso_rules.py checks it against the Go library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?"}
_KEYWORD_OPERATORS = ("in", "or", "and", "not")


class ExprError(Exception):
    """What expr would refuse: a compile error or a run-time error."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "string", "name", "op", "bracket", "eof"
    value: Any


def _unescape(body: str) -> str:
    """expr's parser/lexer unescape, on a literal's text between its quotes (newlines normalized first)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ExprError("unable to unescape string, found '\\' as last character")
        code, i = body[i + 1], i + 2
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
        elif code in "xXuU":
            width = {"x": 2, "X": 2, "u": 4, "U": 8}[code]
            digits = body[i : i + width]
            if len(digits) < width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise ExprError("unable to unescape string")
            value = int(digits, 16)
            if value > 0x10FFFF:
                raise ExprError("unable to unescape string")
            # Go writes a surrogate code point as U+FFFD.
            out.append("\ufffd" if 0xD800 <= value <= 0xDFFF else chr(value))
            i += width
        elif code in "0123":
            digits = body[i : i + 2]
            if len(digits) < 2 or any(d not in "01234567" for d in digits):
                raise ExprError("unable to unescape octal sequence in string")
            out.append(chr(int(code + digits, 8)))
            i += 2
        else:
            raise ExprError("unable to unescape string")
    return "".join(out)


def _tokens(rule: str) -> list[_Token]:
    tokens, i = [], 0
    while i < len(rule):
        char = rule[i]
        if char.isspace():
            i += 1
        elif char in "'\"":
            # scanString: up to the same quote, a backslash taking the next character with it; a raw
            # newline ends the literal with an error.
            j = i + 1
            while True:
                if j >= len(rule) or rule[j] == "\n":
                    raise ExprError("literal not terminated")
                if rule[j] == "\\":
                    j += 2
                    continue
                if rule[j] == char:
                    break
                j += 1
            tokens.append(_Token("string", _unescape(rule[i + 1 : j])))
            i = j + 1
        elif char.isalpha() or char in "_$":
            j = i
            while j < len(rule) and (rule[j].isalnum() or rule[j] in "_$"):
                j += 1
            word = rule[i:j]
            tokens.append(_Token("op" if word in _KEYWORD_OPERATORS else "name", word))
            i = j
        elif rule.startswith(("||", "&&", "==", "!="), i):
            tokens.append(_Token("op", rule[i : i + 2]))
            i += 2
        elif char == "!":
            tokens.append(_Token("op", "!"))
            i += 1
        elif char in "[](),":
            tokens.append(_Token("bracket", char))
            i += 1
        else:
            raise ExprError(f"this evaluator does not know {char!r} (at {i} in {rule!r})")
    tokens.append(_Token("eof", None))
    return tokens


class _Parser:
    """Recursive descent over expr's precedence for these operators: or < and < not < in/==/!= ."""

    def __init__(self, rule: str, env: dict[str, Any]):
        self.tokens = _tokens(rule)
        self.at = 0
        self.env = env

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, kind: str, value: Any) -> None:
        token = self.take()
        if (token.kind, token.value) != (kind, value):
            raise ExprError(f"expected {value!r}, got {token.value!r}")

    def parse(self) -> Any:
        value = self.or_expr()
        if self.peek().kind != "eof":
            raise ExprError(f"unexpected token {self.peek().value!r}")
        return value

    def or_expr(self) -> Any:
        return self._chain(("||", "or"), self.and_expr, lambda left, right: left or right)

    def and_expr(self) -> Any:
        return self._chain(("&&", "and"), self.unary, lambda left, right: left and right)

    def _chain(self, operators: tuple[str, ...], operand, combine) -> Any:
        # Both sides are always evaluated and must be bools: expr type-checks a rule whole before
        # running it, so an unknown name or a non-bool operand is an error even where the other side decides.
        value = operand()
        while self.peek().kind == "op" and self.peek().value in operators:
            self.take()
            left, right = _bool(value), _bool(operand())
            value = combine(left, right)
        return value

    def unary(self) -> Any:
        token = self.peek()
        if token.kind == "op" and token.value in ("!", "not") and not self._not_in():
            self.take()
            return not _bool(self.unary())
        return self.comparison()

    def _not_in(self) -> bool:
        following = self.tokens[self.at + 1]
        return self.peek().value == "not" and following.kind == "op" and following.value == "in"

    def comparison(self) -> Any:
        left = self.primary()
        token = self.peek()
        if token.kind == "op" and token.value == "in":
            self.take()
            return _member(left, self.primary())
        if token.kind == "op" and token.value == "not" and self._not_in():
            self.take()
            self.take()
            return not _member(left, self.primary())
        if token.kind == "op" and token.value in ("==", "!="):
            self.take()
            right = self.primary()
            return (left == right) if token.value == "==" else (left != right)
        return left

    def primary(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return token.value
        if token.kind == "name":
            if token.value in ("true", "false"):
                return token.value == "true"
            if token.value == "nil":
                return None
            if token.value not in self.env:
                raise ExprError(f"unknown name {token.value}")
            return self.env[token.value]
        if (token.kind, token.value) == ("bracket", "["):
            items = []
            while self.peek().value != "]":
                items.append(self.or_expr())
                if self.peek().value == ",":
                    self.take()
                elif self.peek().value != "]":
                    raise ExprError(f"expected ',' or ']', got {self.peek().value!r}")
            self.take()
            return items
        if (token.kind, token.value) == ("bracket", "("):
            value = self.or_expr()
            self.expect("bracket", ")")
            return value
        raise ExprError(f"unexpected token {token.value!r}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ExprError(f"{value!r} is not a bool")
    return value


def _member(needle: Any, haystack: Any) -> bool:
    if isinstance(haystack, list):
        return any(type(item) is type(needle) and item == needle for item in haystack)
    if isinstance(haystack, dict):
        return needle in haystack
    if haystack is None:
        return False
    raise ExprError(f"operator in not defined on {type(haystack).__name__}")


def eval_rule(rule: str, claims: dict[str, Any]) -> bool:
    """What argo-server's EvalBool returns for `rule` and a user's claims; ExprError where it errs."""
    return _bool(_Parser(rule, claims).parse())


def decode_literal(literal: str) -> str:
    """The string an expr string literal stands for (the whole text must be one literal)."""
    [token, end] = _tokens(literal)
    if token.kind != "string" or end.kind != "eof":
        raise ExprError(f"{literal!r} is not one string literal")
    return token.value
