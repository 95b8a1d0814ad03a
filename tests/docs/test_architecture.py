"""docs/architecture.md's layer chart and table say what the code imports: every arrow is an import
some module makes from one layer into another, and every such import is an arrow (tests/test_layers.py
says which imports are allowed; this says the doc shows the ones there are)."""

import re

from tests.support.program import PROJECT_DIR
from tests.test_layers import SOURCES, imports_of, layer

ARCHITECTURE = (PROJECT_DIR / "docs" / "architecture.md").read_text()
SECTION = "## Code layout: layers, and data that flows one way"


def group(module: str) -> str | None:
    """The box of the chart a module is drawn in."""
    if module == "__main__" or module.startswith("components."):
        return "program"
    if module.split(".")[0] == "bench":
        return "bench"
    if module == "tenancy.__main__":
        return "cli"  # `python -m tenancy` is the command line's entry point
    return layer(module)


def import_graph() -> set[tuple[str, str]]:
    """(importer, imported) for every import from one box into another, read from the source."""
    edges = set()
    for module in SOURCES:
        for imported in imports_of(module):
            if imported in SOURCES and group(module) != group(imported):
                edges.add((group(module), group(imported)))
    return edges


def chart_of(text: str) -> set[tuple[str, str]]:
    section = text.split(SECTION, 1)[1]
    [chart] = re.findall(r"```mermaid\nflowchart BT\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", chart, re.MULTILINE))


def table_of(text: str) -> dict[str, set[str]]:
    """The layer table's `imports` column: layer -> the layers it names."""
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if re.match(r"\| `\w+/` \|", line)]
    table = {cells[0].strip(" `/"): {name.strip() for name in cells[2].split(",")} - {"nothing of ours"} for cells in rows}
    assert len(table) == len(rows), "a layer has two rows"
    return table


def test_the_chart_draws_every_import_between_layers_and_no_other():
    actual, drawn = import_graph(), chart_of(ARCHITECTURE)
    assert not actual - drawn, f"imports the chart in docs/architecture.md does not draw: {sorted(actual - drawn)}"
    assert not drawn - actual, f"arrows in docs/architecture.md no module imports: {sorted(drawn - actual)}"


def test_the_layer_table_names_what_each_layer_imports():
    table = table_of(ARCHITECTURE)
    layers = {group(module) for module in SOURCES if module.startswith("tenancy.")}
    assert set(table) == layers
    for name, named in table.items():
        assert named == {imported for importer, imported in import_graph() if importer == name}, name


def test_a_drifted_chart_is_seen():
    """Both directions: an arrow nothing imports, and an import the chart lost."""
    drawn = chart_of(ARCHITECTURE)
    assert ("cli", "manifests") not in import_graph()
    extra = ARCHITECTURE.replace("    cli --> plan\n", "    cli --> plan\n    cli --> manifests\n")
    assert chart_of(extra) - import_graph() == {("cli", "manifests")}
    missing = ARCHITECTURE.replace("    plan --> project\n", "")
    assert import_graph() - chart_of(missing) == {("plan", "project")}
    assert drawn == chart_of(ARCHITECTURE)
