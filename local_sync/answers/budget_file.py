"""The budgets file's two formats, CSV and YAML, read into (line, fields) items: each budget keeps the line it
starts on, so a refusal can name it. What the fields must hold is checked in local_sync.answers.budgets."""

import csv
from pathlib import Path

import yaml

REQUIRED = ("vendor", "metric", "amount")
COLUMNS = ("vendor", "metric", "product", "unit", "amount", "thresholds", "note")  # the file's and the table's
TABLE = "budgets"


class BudgetError(Exception):
    """A budgets file that cannot be used; the message names the file, the line and the fix."""


def _check_names(path: Path, line: int, names: list[str]) -> None:
    expected = ", ".join(REQUIRED)
    for name in names:
        if name not in COLUMNS:
            raise BudgetError(
                f"The budgets file {path}, line {line}, names a column `{name}` no budget has; the columns are "
                f"{', '.join(COLUMNS)}."
            )
    for name in REQUIRED:
        if name not in names:
            raise BudgetError(
                f"The budgets file {path}, line {line}, has no `{name}`; each budget names {expected} (and "
                "optionally product, unit, thresholds, note)."
            )


def csv_items(path: Path, text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise BudgetError(
            f"The budgets file {path} is empty; its first line must name the columns {', '.join(COLUMNS)}."
        )
    _check_names(path, 1, header)
    reader.fieldnames = header
    return [(reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}) for row in reader]


def yaml_items(path: Path, text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, fields) of each budget of a YAML list (or of the list under `budgets:`), from the parsed nodes so
    each keeps its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f", line {mark.line + 1}," if mark is not None else ""
        reason = getattr(problem, "problem", None) or "it cannot be parsed"
        raise BudgetError(f"The budgets file {path}{where} is not YAML ({reason}); fix the file's syntax.") from None
    if isinstance(root, yaml.MappingNode):
        root = next((value for key, value in root.value if key.value == "budgets"), root)
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise BudgetError(
            f"The budgets file {path}, line {root.start_mark.line + 1}, is not a list of budgets; write one "
            "`- vendor: ...` entry per budget (under `budgets:`)."
        )
    items = []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise BudgetError(
                f"The budgets file {path}, line {line}, is not a budget; each entry names vendor, metric and amount."
            )
        fields: dict[str, str] = {}
        for key, value in node.value:
            if isinstance(value, yaml.SequenceNode) and all(isinstance(part, yaml.ScalarNode) for part in value.value):
                fields[str(key.value)] = ";".join(str(part.value) for part in value.value)
            elif isinstance(value, yaml.ScalarNode):
                fields[str(key.value)] = "" if value.tag.endswith(":null") else str(value.value).strip()
            else:
                raise BudgetError(
                    f"The budgets file {path}, line {value.start_mark.line + 1}: `{key.value}` is not a value; "
                    "write it on one line."
                )
        _check_names(path, line, list(fields))
        items.append((line, fields))
    return items
