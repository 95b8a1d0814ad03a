"""What a Sensor trigger's `conditions` is read as: an expression of github.com/expr-lang/expr.

From its lexer (parser/lexer/state.go): a token starting with a digit is a number (`1_2` is 12,
`0x1f` and `1e5` are numbers too), `-` is subtraction, and these words are operators or literals,
not names. A dependency name is safe in `conditions` only as one identifier that is none of them.
"""

from __future__ import annotations

EXPR_WORDS = frozenset(
    {"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "true", "false", "nil"}
)


def identifier_problem(name: str) -> str | None:
    """Why `name` is not read as one variable in an expression, or None when it is."""
    if not name or not (name[0].isascii() and (name[0].isalpha() or name[0] == "_")):
        return "does not start with a letter or '_' (a digit starts a number)"
    if not all(char.isascii() and (char.isalnum() or char == "_") for char in name):
        return "has a character other than letters, digits and '_' ('-' is subtraction)"
    if name in EXPR_WORDS:
        return "is a word of the expression language"
    return None
