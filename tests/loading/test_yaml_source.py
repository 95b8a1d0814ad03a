import pytest

from tenancy.loading.yaml_source import YamlSourceError, parse_yaml


def test_lines_point_at_keys_and_list_items():
    doc = parse_yaml("a: 1\nb:\n  c: x\n  d:\n    - p\n    - q\n")
    assert doc.data == {"a": 1, "b": {"c": "x", "d": ["p", "q"]}}
    assert doc.line_for(("b", "c")) == 3
    assert doc.line_for(("b", "d", 1)) == 6


def test_missing_field_points_at_its_parent():
    doc = parse_yaml("spec:\n  repoUrl: x\n")
    assert doc.line_for(("spec", "tenant")) == 1


def test_duplicate_keys_are_reported_with_both_lines():
    doc = parse_yaml("spec:\n  isPublic: true\n  isPublic: false\n")
    [problem] = doc.problems
    assert problem.line == 3
    assert problem.loc == ("spec", "isPublic")
    assert "first at line 2" in problem.message
    assert problem.hint == "plain YAML readers keep only the last one, so remove the duplicate"


def test_aliases_are_refused():
    with pytest.raises(YamlSourceError, match="alias") as err:
        parse_yaml("a: &x {b: 1}\nc: *x\n")
    assert err.value.problem.line == 2


def test_merge_keys_are_refused():
    with pytest.raises(YamlSourceError, match="merge key"):
        parse_yaml("base: {b: 1}\nother:\n  <<: {b: 2}\n")


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo hi']\n",
    "a: !!python/name:os.system\n",
    "a: !custom {b: 1}\n",
])
def test_tags_beyond_plain_data_are_refused(text):
    with pytest.raises(YamlSourceError) as err:
        parse_yaml(text)
    assert err.value.problem.line == 1


def test_several_documents_are_refused():
    with pytest.raises(YamlSourceError, match="more than one YAML document"):
        parse_yaml("a: 1\n---\nb: 2\n")


def test_empty_file_is_refused():
    with pytest.raises(YamlSourceError, match="empty"):
        parse_yaml("# only a comment\n")


def test_syntax_error_has_a_line():
    with pytest.raises(YamlSourceError) as err:
        parse_yaml("a: 1\nb: [1, 2\n")
    assert err.value.problem.line is not None
