"""The dbt package's models (dbt/models/*.sql) rendered for DuckDB or PostgreSQL without running dbt.

make sync builds the same models an Airbyte user builds with `dbt build` (one definition, issue 14.3). This is a
small stand-in for dbt's Jinja context: `source()`, `ref()`, `config()`, `var()`, `this`, `is_incremental()`,
`load_relation()`, `execute`, the package's own macros (dbt/macros/*.sql, plain text-emitting ones) and the
cross-database macros the models call (`dbt.concat`, `dbt.dateadd`, `dbt.datediff`, `dbt.date_trunc`,
`dbt.split_part`, `dbt.listagg`, `dbt.type_*`), written as dbt-duckdb and dbt-postgres write them.
"""

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

PACKAGE = Path(__file__).resolve().parents[2] / "dbt"
DIALECTS = ("duckdb", "postgres")
# the order they build in: each reads only those before it
ORDER = (
    "usage_overview", "usage_monthly", "leaf_billable_area", "credit_balances", "credit_runway", "focus_charges",
    "forecast_days", "usage_forecast", "budget_status", "usage_alerts", "alerts_sent",
)  # fmt: skip
# the models that read a file the user owns, and its table (the dbt package's seed): built only where it is
USER_TABLES = {"focus_charges": "rate_card", "budget_status": "budgets"}


@dataclass
class Rendered:
    """A model's SQL (a SELECT) and how dbt materializes it (`view`, `table` or `incremental`)."""

    name: str
    sql: str
    materialized: str
    incremental: bool


class _CrossDatabase:
    """The `dbt.*` macros the models use, as dbt-duckdb and dbt-postgres render them."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def concat(self, fields: list[str]) -> str:
        return " || ".join(fields)

    def dateadd(self, datepart: str, interval: Any, from_date_or_timestamp: str) -> str:
        if self.dialect == "duckdb":
            return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart.lower()})"
        return f"{from_date_or_timestamp} + ((interval '1 {datepart}') * ({interval}))"

    def datediff(self, first_date: str, second_date: str, datepart: str) -> str:
        if datepart != "day":
            raise ValueError(f"datediff by {datepart!r}: only 'day' is rendered outside dbt")
        if self.dialect == "duckdb":
            return f"(date_diff('day', {first_date}::timestamp, {second_date}::timestamp ))"
        return f"(({second_date})::date - ({first_date})::date)"

    def split_part(self, string_text: str, delimiter_text: str, part_number: int) -> str:
        if self.dialect == "duckdb":
            return f"string_split({string_text}, {delimiter_text})[ {part_number} ]"
        return f"split_part({string_text}, {delimiter_text}, {part_number})"

    def listagg(self, measure: str, delimiter_text: str = "','", order_by_clause: str | None = None) -> str:
        return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"  # the same on both

    def date_trunc(self, datepart: str, date: str) -> str:  # the same on both
        return f"date_trunc('{datepart}', {date})"

    def type_string(self) -> str:
        return "varchar" if self.dialect == "duckdb" else "text"

    def type_timestamp(self) -> str:
        return "timestamp"

    def type_bigint(self) -> str:
        return "bigint"

    def type_numeric(self) -> str:
        return "numeric(28,6)"


@dataclass
class _Model:
    """What one model's render reports back through `config()`."""

    options: dict[str, Any] = field(default_factory=dict)

    def config(self, **options: Any) -> str:
        self.options.update(options)
        return ""


@functools.cache
def _project_vars() -> dict[str, Any]:
    """The package's variables and their defaults (dbt_project.yml `vars:`), as dbt gives them to the models."""
    return yaml.safe_load((PACKAGE / "dbt_project.yml").read_text())["vars"]


def _macros() -> str:
    return "\n".join(path.read_text() for path in sorted((PACKAGE / "macros").glob("*.sql")))


def render(name: str, dialect: str, tables: set[str], variables: dict[str, Any] | None = None) -> Rendered:
    """Model `name` as SQL for `dialect`, over the stream tables in `tables` (models already built included)."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect {dialect!r}: one of {', '.join(DIALECTS)}")
    values = {**_project_vars(), **{key: value for key, value in (variables or {}).items() if value is not None}}
    model = _Model()

    def var(key: str, default: Any = None) -> Any:
        return values.get(key, default)

    def load_relation(relation: str) -> str | None:
        return relation if relation in tables else None

    environment = jinja2.Environment(
        extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    template = environment.from_string(_macros() + (PACKAGE / "models" / f"{name}.sql").read_text())
    sql = template.render(
        source=lambda _source, table: table,
        ref=lambda model_name: model_name,
        config=model.config,
        var=var,
        this=name,
        is_incremental=lambda: model.options.get("materialized") == "incremental" and name in tables,
        load_relation=load_relation,
        execute=True,
        dbt=_CrossDatabase(dialect),
    )
    materialized = model.options.get("materialized", "view")
    return Rendered(name, sql.strip(), materialized, materialized == "incremental" and name in tables)
