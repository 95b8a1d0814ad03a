"""Reads one YAML document with safe types only, keeping the line of every node and refusing duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from tenancy.model.problems import Loc, Problem


class YamlSourceError(Exception):
    """The text is not a single, plain YAML document; the problem has the line where the parser knows it."""

    def __init__(self, message: str, line: int | None, hint: str | None = None):
        self.problem = Problem((), message, hint=hint, line=line)
        super().__init__(str(self.problem))


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    # Problems that still let the rest of the file be read and checked (duplicate keys), without a file yet.
    problems: tuple[Problem, ...] = ()

    def line_for(self, loc: Loc) -> int | None:
        """Line of the deepest node on `loc` that exists; a missing field points at its parent."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


# libyaml's parser when PyYAML was built with it (the PyPI wheels are): the same nodes, marks and
# errors as the pure-Python one at a fraction of the cost, which `validate` of a 1,000-file
# directory pays once per file and stack.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> YamlDocument:
    loader = _SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.composer.ComposerError as err:
            if "single document" in str(err.context or ""):
                raise YamlSourceError(
                    "holds more than one YAML document", _line(err.problem_mark), hint="put one registration in each file"
                ) from None
            raise
        if root is None:
            raise YamlSourceError("is empty", 1, hint="a tenant file holds one RepoRegistration")
        lines: dict[Loc, int] = {}
        builder = _Builder(loader, lines)
        data = builder.build(root, ())
        return YamlDocument(data=data, lines=lines, problems=tuple(builder.problems))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "is not valid YAML"
        raise YamlSourceError(f"is not valid YAML: {problem}", _line(mark)) from None
    except yaml.YAMLError as err:
        raise YamlSourceError(f"is not valid YAML: {err}", None) from None
    finally:
        loader.dispose()


def _line(mark) -> int | None:
    return None if mark is None else mark.line + 1


class _Builder:
    """Turns composed nodes into plain data, remembering lines; refuses what tenant files never need."""

    def __init__(self, loader: _SafeLoader, lines: dict[Loc, int]):
        self.loader = loader
        self.lines = lines
        self.seen: set[int] = set()
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, loc: Loc, used_at: int | None = None) -> Any:
        # Aliases would let one small file expand into a huge one, and a reviewer reading the
        # diff would not see the value that is deployed; tenant files are plain data.
        if id(node) in self.seen:
            raise YamlSourceError(
                "uses a YAML alias (*name)", used_at or _line(node.start_mark), hint="write the value out in full"
            )
        self.seen.add(id(node))
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, "tag:yaml.org,2002:map")
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, "tag:yaml.org,2002:seq")
            return [self.build(item, (*loc, index), item.start_mark.line + 1) for index, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    @staticmethod
    def _check_tag(node: yaml.Node, plain: str) -> None:
        if node.tag != plain:
            raise YamlSourceError(
                f"uses the YAML tag {node.tag}", _line(node.start_mark), hint="tenant files hold plain data only"
            )

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlSourceError("uses a YAML merge key (<<)", key_line, hint="write the fields out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSourceError("has a key that is not a plain string", key_line)
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.problems.append(
                    Problem(
                        (*loc, key),
                        f"repeats the key '{key}' (first at line {first_line[key]})",
                        hint="plain YAML readers keep only the last one, so remove the duplicate",
                        line=key_line,
                    )
                )
                continue
            first_line[key] = key_line
            result[key] = self.build(value_node, (*loc, key), key_line)
            # Point a field's problems at its key, which is where the reader looks.
            self.lines[(*loc, key)] = key_line
        return result
