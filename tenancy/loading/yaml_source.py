"""Reads one YAML document of plain data, keeping the line of every node; refuses what a tenant file
never needs and what YAML would silently turn into something else.

The document is built from the parser's events, not from composed nodes: libyaml's composer
recurses in C, so a file of 50,000 nested brackets ended the process with a segmentation fault
before any check could run. Here the depth is counted as the events arrive, and the reader stops
at `MAX_DEPTH`.

Plain scalars are read by a strict reader of their own, not by YAML 1.1's resolver: `true`,
`false`, `null`, decimal integers and decimal floats are converted, every other plain word stays
text, and the words YAML would convert in surprising ways (`yes`, `on`, `~`, `010`, `1:30`,
`2024-01-01`, ...) are refused with the trap named and the fix, since other YAML readers (and
editors) disagree about them.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tenancy.model.problems import Loc, Problem
from tenancy.model.text import shown

# Tenant files are a few levels deep (the document, spec, a bucket, its fields) and a few
# hundred bytes long; these bounds are far beyond that and far below what hurts.
MAX_DEPTH = 20
MAX_FILE_BYTES = 64 * 1024
MAX_VALUE_LENGTH = 1024


def display_path(path: str | os.PathLike, base: str | os.PathLike | None = None) -> str:
    """How messages name a file: relative to `base` (default: the current directory) when inside it."""
    base = Path(base) if base is not None else Path.cwd()
    path = Path(path)
    # The directory resolved, the name as it is: a link is named as the link, not as where it points.
    try:
        return (path.parent.resolve() / path.name).relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(os.path.normpath(path)).as_posix()


class YamlSourceError(Exception):
    """The text is not a single, plain YAML document; the problem has the line where the parser knows it."""

    def __init__(self, message: str, line: int | None, hint: str | None = None):
        self.problem = Problem((), message, hint=hint, line=line)
        super().__init__(str(self.problem))


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    # Problems that still let the rest of the file be read and checked (a repeated key, a value
    # YAML would convert), without a file yet; the model's own findings at their fields add nothing.
    problems: tuple[Problem, ...] = ()

    def line_for(self, loc: Loc) -> int | None:
        """Line of the deepest node on `loc` that exists; a missing field points at its parent."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def read_source(path: Path) -> str:
    """The text of the regular file `path`, refusing (YamlSourceError) a link, anything that is not a
    regular file, a file over MAX_FILE_BYTES (of which no more is read) and text that is not UTF-8.

    A link could point anywhere (a key, `/dev/zero`); a pipe would block the reader for ever.
    O_NOFOLLOW and the check on the opened descriptor leave no window between looking and reading.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as err:
        if os.path.islink(path):
            raise YamlSourceError(*_LINK) from None
        raise YamlSourceError(f"cannot be read: {err.strerror}", None) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise YamlSourceError(*_NOT_REGULAR)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:
        raise YamlSourceError(f"is larger than {MAX_FILE_BYTES // 1024} KiB", None, hint="a tenant file is a few lines long")
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YamlSourceError("is not UTF-8 text", None) from None


_LINK = ("is a symbolic link", None, "tenant files are regular files in the tenants directory, so put the file itself there")
_NOT_REGULAR = ("is not a regular file", None, "tenant files are regular files in the tenants directory")


def refusal_of_entry(mode: int) -> tuple[str, None, str] | None:
    """Why a directory entry (its lstat mode) is not read as a tenant file, or None when it may be."""
    if stat.S_ISLNK(mode):
        return _LINK
    if not stat.S_ISREG(mode):
        return _NOT_REGULAR
    return None


# libyaml's parser when PyYAML was built with it (the PyPI wheels are): the same events, marks and
# errors as the pure-Python one at a fraction of the cost, which `validate` of a 1,000-file
# directory pays once per file.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> YamlDocument:
    reader = _Reader()
    try:
        data = reader.read(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise YamlSourceError(f"is not valid YAML: {_parser_problem(err, text)}", _line(mark), hint=_tab_hint(mark, text)) from None
    except yaml.YAMLError as err:
        raise YamlSourceError(f"is not valid YAML: {err}", None) from None
    return YamlDocument(data=data, lines=reader.lines, problems=tuple(reader.problems))


def _line(mark) -> int | None:
    return None if mark is None else mark.line + 1


def _indented_with_tab(mark, text: str) -> bool:
    if mark is None:
        return False
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


def _parser_problem(err: yaml.MarkedYAMLError, text: str) -> str:
    mark = err.problem_mark or err.context_mark
    if _indented_with_tab(mark, text):
        return "a tab is not allowed for indentation in YAML"
    return err.problem or err.context or "it cannot be parsed"


def _tab_hint(mark, text: str) -> str | None:
    return "use spaces" if _indented_with_tab(mark, text) else None


_PLAIN_TAGS = (None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_TEXT_TAGS = ("!", "tag:yaml.org,2002:str")


class _Collection:
    """A mapping or sequence being read: where it is, what it holds so far, the key awaiting its value."""

    __slots__ = ("loc", "data", "key", "key_line", "first_line", "dropped")

    def __init__(self, loc: Loc, data: dict | list, dropped: bool):
        self.loc = loc
        self.data = data
        self.key: str | None = None
        self.key_line = 0
        self.first_line: dict[str, int] = {}
        # The value of a repeated key: read (to find what is wrong in it) but kept nowhere.
        self.dropped = dropped


class _Reader:
    def __init__(self):
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []

    def read(self, text: str) -> Any:
        stack: list[_Collection] = []
        root: list[Any] = []
        documents = 0
        for event in yaml.parse(text, Loader=_SafeLoader):
            kind = type(event)
            line = event.start_mark.line + 1
            if kind is yaml.ScalarEvent:
                if stack and isinstance(stack[-1].data, dict) and stack[-1].key is None:
                    self._key(stack[-1], event, line)
                else:
                    loc, dropped = self._place(stack, line)
                    self._add(stack, root, self._scalar(event, loc, line, dropped), loc)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if stack and isinstance(stack[-1].data, dict) and stack[-1].key is None:
                    raise YamlSourceError("has a key that is not a plain string", line)
                if len(stack) >= MAX_DEPTH:
                    raise YamlSourceError(
                        f"nests deeper than {MAX_DEPTH} levels", line, hint="a tenant file needs only a few; remove the extra brackets"
                    )
                if event.tag not in _PLAIN_TAGS:
                    raise YamlSourceError(f"uses the YAML tag {event.tag}", line, hint="tenant files hold plain data only")
                loc, dropped = self._place(stack, line)
                stack.append(_Collection(loc, {} if kind is yaml.MappingStartEvent else [], dropped))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                self._add(stack, root, done.data, done.loc)
            elif kind is yaml.AliasEvent:
                # Aliases would let one small file expand into a huge one, and a reviewer reading the
                # diff would not see the value that is deployed; tenant files are plain data.
                raise YamlSourceError("uses a YAML alias (*name)", line, hint="write the value out in full")
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlSourceError("holds more than one YAML document", line, hint="put one registration in each file")
        if not root:
            raise YamlSourceError("is empty", 1, hint="a tenant file holds one RepoRegistration")
        return root[0]

    def _key(self, mapping: _Collection, event: yaml.ScalarEvent, line: int) -> None:
        key = event.value
        if event.tag is not None and event.tag not in _TEXT_TAGS:
            raise YamlSourceError(f"uses the YAML tag {event.tag}", line, hint="tenant files hold plain data only")
        if not event.style and key == "<<":
            raise YamlSourceError("uses a YAML merge key (<<)", line, hint="write the fields out in full")
        if len(key) > MAX_VALUE_LENGTH:
            raise YamlSourceError(f"has a key {len(key)} characters long", line)
        mapping.key, mapping.key_line = key, line
        if key in mapping.data and not mapping.dropped:
            self.problems.append(
                Problem(
                    (*mapping.loc, key),
                    f"repeats the key {shown(key)} (first at line {mapping.first_line[key]})",
                    hint="plain YAML readers keep only the last one, so remove the duplicate",
                    line=line,
                )
            )
        mapping.first_line.setdefault(key, line)

    def _place(self, stack: list[_Collection], line: int) -> tuple[Loc, bool]:
        """Where the next value goes, and whether it is dropped (the value of a repeated key); its line is kept."""
        if not stack:
            loc, dropped = (), False
        else:
            parent = stack[-1]
            if isinstance(parent.data, list):
                loc, dropped = (*parent.loc, len(parent.data)), parent.dropped
            else:
                loc, dropped = (*parent.loc, parent.key), parent.dropped or parent.key in parent.data
        if not dropped:
            self.lines.setdefault(loc, line)
        return loc, dropped

    def _add(self, stack: list[_Collection], root: list, value: Any, loc: Loc) -> None:
        if not stack:
            root.append(value)
            return
        parent = stack[-1]
        if isinstance(parent.data, list):
            parent.data.append(value)
            return
        key, parent.key = parent.key, None
        if parent.dropped or key in parent.data:
            return
        parent.data[key] = value
        # Point a field's problems at its key, which is where the reader looks.
        self.lines[loc] = parent.key_line

    def _scalar(self, event: yaml.ScalarEvent, loc: Loc, line: int, dropped: bool) -> Any:
        text = event.value
        if event.tag is not None and event.tag not in _TEXT_TAGS:
            raise YamlSourceError(f"uses the YAML tag {event.tag}", line, hint="tenant files hold plain data only")
        if len(text) > MAX_VALUE_LENGTH:
            if not dropped:
                self.problems.append(Problem(loc, f"is {len(text)} characters long; a value holds at most {MAX_VALUE_LENGTH}", line=line))
            return ""
        if event.style or event.tag is not None:
            return text
        value, trap, hint = plain_scalar(text)
        if trap is not None:
            if not dropped:
                self.problems.append(Problem(loc, trap, hint=hint, line=line))
            return text
        return value


_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_NULL = ("", "null", "Null", "NULL")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)", re.ASCII)
_FLOAT = re.compile(r"[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)", re.ASCII)
_YAML_1_1_BOOLEAN = re.compile(r"y|yes|n|no|on|off", re.IGNORECASE | re.ASCII)
_YAML_1_1_OCTAL = re.compile(r"[-+]?0[0-7_]+", re.ASCII)
_YAML_1_2_OCTAL = re.compile(r"0o[0-7]+", re.ASCII)
_HEXADECIMAL = re.compile(r"[-+]?0x[0-9a-fA-F_]+", re.ASCII)
_INFINITY_OR_NAN = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", re.ASCII)
_QUOTE = "quote it to mean the text"
_NUMBER_HINT = f"{_QUOTE}, or write a plain decimal number"
# YAML 1.1's resolver names what the other plain words would become.
_YAML_1_1 = yaml.resolver.Resolver()


def plain_scalar(text: str) -> tuple[Any, str | None, str | None]:
    """(value, None, None) for a plain scalar read as this project reads it, or (None, trap, fix)
    when YAML would convert it in a way people do not expect (and readers disagree about)."""
    if text in _TRUE:
        return True, None, None
    if text in _FALSE:
        return False, None, None
    if text in _NULL:
        return None, None, None
    if _DECIMAL.fullmatch(text):
        return int(text), None, None
    if _FLOAT.fullmatch(text):
        return float(text), None, None
    text_shown = shown(text)
    if text == "~":
        return None, "'~' is YAML's shorthand for null", "write null, or leave the field out"
    if _YAML_1_1_BOOLEAN.fullmatch(text):
        return None, f"{text_shown} is a YAML 1.1 boolean", f"write true or false (or {_QUOTE})"
    if _YAML_1_2_OCTAL.fullmatch(text):
        return None, f"{text_shown} is an octal number in YAML 1.2 ({int(text[2:], 8)})", _NUMBER_HINT
    if _HEXADECIMAL.fullmatch(text) or _INFINITY_OR_NAN.fullmatch(text):
        return None, f"{text_shown} is a number in YAML notation", _NUMBER_HINT
    tag = _YAML_1_1.resolve(yaml.ScalarNode, text, (True, False)).rsplit(":", 1)[-1]
    if tag in ("int", "float"):
        if ":" in text:
            return None, f"{text_shown} is a base-60 number in YAML 1.1 ({_base_60(text)})", _NUMBER_HINT
        if tag == "int" and _YAML_1_1_OCTAL.fullmatch(text):
            return None, f"{text_shown} is an octal number in YAML 1.1 ({int(text.replace('_', ''), 8)})", _NUMBER_HINT
        return None, f"{text_shown} is a number in YAML 1.1 notation", _NUMBER_HINT
    if tag == "timestamp":
        return None, f"{text_shown} is a date in YAML", _QUOTE
    if tag in ("merge", "value"):
        return None, f"{text_shown} has a meaning of its own in YAML 1.1", _QUOTE
    return text, None, None


def _base_60(text: str) -> str:
    sign = -1 if text.startswith("-") else 1
    value = 0.0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        value = value * 60 + float(part)
    value *= sign
    return str(int(value)) if value.is_integer() else str(value)
