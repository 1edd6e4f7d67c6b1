"""``faers drugs SEARCH``: what the warehouse calls a drug, and what it may have missed.

From the mart ``drug_name_audit``: every raw drug name mapped to the drug (an ingredient of its ingredient
set), with its reports, rows and how it was mapped; then the raw names nothing mapped (mapping_source
'cleaned_name' or no ingredient) that look like the drug or one of the names searched (DuckDB's
``jaro_winkler_similarity`` on the raw name and on its cleaned form, or a Levenshtein distance of at most 2,
or the drug's name inside it). A study author adds the right ones to ``seeds/drug_synonyms.csv`` and
rebuilds. ``faers study`` writes the same list for its drug (``tables/drug_names.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl
from rich.console import Console
from rich.table import Table

from loaders.paths import warehouse_path

COLUMNS = (
    "kind", "drug_name", "ingredient", "mapping_source", "reports", "rows", "similarity", "support", "agreement",
)  # fmt: skip

_SQL = """
with
terms as (select unnest(?::varchar[]) as term),
targets as (select unnest(?::varchar[]) as target),
audit as (
    select *, coalesce(string_split(ingredient, '\\'), []) as ingredients
    from main.drug_name_audit
),
mapped as (
    select 'mapped' as kind, audit.*, null::double as similarity
    from audit
    where list_has_any(audit.ingredients, (select list(target) from targets))
),
unmapped as (
    select
        'unmapped' as kind,
        audit.*,
        greatest(
            max(jaro_winkler_similarity(lower(trim(coalesce(audit.drug_name, ''))), terms.term)),
            max(jaro_winkler_similarity(coalesce(audit.ingredient, ''), terms.term))
        ) as similarity,
        bool_or(
            levenshtein(coalesce(audit.ingredient, ''), terms.term) <= 2
            or contains(lower(coalesce(audit.drug_name, '')), terms.term)
        ) as is_close
    from audit
    cross join terms
    where audit.mapping_source = 'cleaned_name' or audit.ingredient is null
    group by all
)
select kind, drug_name, ingredient, mapping_source, reports, rows, similarity, support, agreement
from mapped
union all
select kind, drug_name, ingredient, mapping_source, reports, rows, similarity, support, agreement
from unmapped
where similarity >= ? or is_close
-- ends with the audit's grain (drug_name, ingredient, mapping_source): one order every run (a name mapped by two
-- sources was listed in either order)
order by kind, similarity desc nulls first, reports desc, drug_name, ingredient, mapping_source
"""


class DrugsError(ValueError):
    """The warehouse is missing or has no drug_name_audit mart."""


def name_ingredients(conn: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The ingredients a brand or raw drug name maps to in the warehouse (main.drug_name_audit: the ingredient set
    of its mapped rows with the most reports, e.g. 'paxil' -> ['paroxetine'], 'vicodin' -> ['acetaminophen',
    'hydrocodone']); [] when no row of that name is mapped (or the warehouse has no audit mart)."""
    try:
        rows = conn.execute(
            """
            select ingredient from main.drug_name_audit
            where lower(trim(drug_name)) = ? and ingredient is not null and mapping_source != 'cleaned_name'
            group by ingredient order by sum(reports) desc, ingredient limit 1
            """,
            [name.strip().lower()],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return rows[0][0].split("\\") if rows else []


def resolve_targets(conn: duckdb.DuckDBPyConnection, terms: Sequence[str]) -> list[str]:
    """The ingredients the search terms mean: a term that is an ingredient stays; a brand or raw name
    becomes the ingredients it maps to (name_ingredients); anything else stays as typed (lower case)."""
    targets: list[str] = []
    for term in terms:
        known = conn.execute(
            "select count(*) from main.drug_name_audit where list_contains(string_split(ingredient, '\\'), ?)",
            [term],
        ).fetchall()[0][0]
        targets.extend([term] if known else name_ingredients(conn, term) or [term])
    return list(dict.fromkeys(targets))


def drug_names(conn: duckdb.DuckDBPyConnection, search: Sequence[str], *, threshold: float = 0.85) -> pl.DataFrame:
    """Mapped and similar unmapped raw names of a drug (``search``: ingredient, brand or raw names)."""
    present = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'drug_name_audit'"
    ).fetchall()[0][0]
    if not present:
        raise DrugsError("the warehouse has no main.drug_name_audit mart: run `faers build` first")
    terms = list(dict.fromkeys(t.strip().lower() for t in search if t.strip()))
    if not terms:
        raise DrugsError("give a drug name to search for")
    targets = resolve_targets(conn, terms)
    frame = conn.sql(_SQL, params=[terms, targets, threshold]).pl()
    return frame.select(COLUMNS)


def run_drugs(search: str, db: Path | None, *, threshold: float = 0.85, console: Console | None = None) -> None:
    """``faers drugs SEARCH``: print the mapped and the similar unmapped names, then a one-line summary."""
    console = console or Console()
    db_path = (db or warehouse_path()).resolve()
    if not db_path.is_file():
        console.print(f"[red]drugs: warehouse {db_path} does not exist (run faers load, faers build)[/red]")
        raise SystemExit(2)
    try:
        with duckdb.connect(str(db_path), read_only=True) as conn:
            frame = drug_names(conn, [search], threshold=threshold)
    except DrugsError as exc:
        console.print(f"[red]drugs: {exc}[/red]")
        raise SystemExit(2) from exc
    table = Table(title=f"raw drug names for {search!r}")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("reports", "rows", "similarity") else "left")
    for row in frame.iter_rows():
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
    mapped = frame.filter(pl.col("kind") == "mapped")
    unmapped = frame.filter(pl.col("kind") == "unmapped")
    console.print(
        f"drugs {search!r}: {mapped.height} raw names mapped ({int(mapped['reports'].sum() or 0):,} reports); "
        f"{unmapped.height} similar unmapped names ({int(unmapped['reports'].sum() or 0):,} reports)"
        + ("; add the right ones to seeds/drug_synonyms.csv and run `faers build`" if unmapped.height else "")
    )


def _cell(value: object) -> str:
    """A table cell: blank for NULL, three decimals for a share or similarity."""
    if value is None:
        return ""
    return f"{value:.3f}" if isinstance(value, float) else str(value)
