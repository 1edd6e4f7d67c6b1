"""MedDRA scope resolution: SOC / HLGT / HLT names and PT, LLT or legacy upper-case terms to current PTs.

The hierarchy is the licensed one in schema ``meddra`` (``faers load-meddra``). The demo subset seeded in
schema ``meddra_demo`` (``seeds/meddra_demo``: the synthetic sample's terms only) is used only when the
study file says ``meddra: demo`` or when the warehouse was loaded from ``faers sample`` zips alone
(every DEMO row carries the generator's marker); never silently on real FAERS. A SOC, HLGT or HLT scope
without a usable hierarchy is an error, never an empty result; a PT list needs none (terms kept as given).
Matching is case-insensitive (FAERS legacy terms are upper case). A SOC takes the PTs whose *primary* SOC
path runs through it (``soc_membership: primary``, the default: each PT counted in one SOC) or every PT
linked to it (``all``); HLGT and HLT take every PT linked to them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from faers.sample.render import SAMPLE_MARKER
from faers.study.config import MeddraOptions, Scope

HIERARCHY_SCHEMAS = ("meddra", "meddra_demo")


class ScopeError(ValueError):
    """The scope cannot be resolved (no hierarchy for a SOC/HLT scope, or an unknown term)."""


@dataclass(frozen=True)
class ScopeMatch:
    """One scope term and the current PT it resolved to (``via``: soc, hlgt, hlt, pt, llt or as_given)."""

    level: str
    term: str
    pt: str
    via: str


@dataclass(frozen=True)
class ResolvedScope:
    """The scope's PTs (canonical spelling), how each term matched, and the hierarchy used."""

    pts: tuple[str, ...]
    matches: tuple[ScopeMatch, ...]
    hierarchy: str | None
    version: str | None


def find_hierarchy(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The schema holding a MedDRA hierarchy: 'meddra' (licensed) before 'meddra_demo' (demo seed)."""
    present = {
        row[0]
        for row in conn.execute(
            "select table_schema from information_schema.tables where table_name = 'md_hierarchy'"
        ).fetchall()
    }
    return next((schema for schema in HIERARCHY_SCHEMAS if schema in present), None)


def is_sample_warehouse(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse was loaded from `faers sample` zips alone: raw.load_log names only FDA-style
    zips, and every DEMO row of a layout with a reference column (LAERS image; FAERS lit_ref from 2014Q3
    on: 2012Q4-2014Q2 have neither) starts it with the generator's marker, at least one row marked."""
    try:
        rows = conn.execute(
            "select exists (select 1 from raw.demo where coalesce(lit_ref, image) like $marker)"
            " and not exists (select 1 from raw.demo"
            "   where coalesce(lit_ref, image, '') not like $marker"
            "   and not (quarter between '2012Q4' and '2014Q2'))"
            " and not exists (select 1 from raw.load_log"
            "   where not regexp_matches(zip_file, '^f?aers_ascii_[0-9]{4}q[1-4][.]zip$', 'i'))",
            {"marker": f"{SAMPLE_MARKER}%"},
        ).fetchall()
    except duckdb.Error:
        return False
    return bool(rows[0][0])


def choose_hierarchy(conn: duckdb.DuckDBPyConnection, options: MeddraOptions) -> tuple[str | None, str]:
    """The hierarchy schema a study may use (or None) and why: the licensed MedDRA when loaded (and asked
    for), the demo seed when the study says ``meddra: demo`` or the warehouse is the synthetic sample."""
    present = {
        row[0]
        for row in conn.execute(
            "select table_schema from information_schema.tables where table_name = 'md_hierarchy'"
        ).fetchall()
    }
    if options.hierarchy == "demo":
        if "meddra_demo" not in present:
            return None, "the study asks for the demo hierarchy (meddra: demo) but schema meddra_demo is absent"
        return "meddra_demo", "meddra: demo in the study file"
    if "meddra" in present:
        return "meddra", "licensed MedDRA (faers load-meddra)"
    if "meddra_demo" in present and is_sample_warehouse(conn):
        return "meddra_demo", "demo hierarchy: the warehouse was loaded from faers sample zips alone"
    return None, "no licensed MedDRA in the warehouse"


def hierarchy_version(conn: duckdb.DuckDBPyConnection, schema: str) -> str | None:
    """The MedDRA release of the hierarchy (``<schema>.release.version``), if recorded."""
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'release'",
        [schema],
    ).fetchall()[0][0]
    if not exists:
        return None
    row = conn.execute(f"select version from {schema}.release limit 1").fetchall()
    return str(row[0][0]) if row and row[0][0] is not None else None


def _unknown(term: str, level: str, candidates: list[str], where: str) -> ScopeError:
    by_lower = {c.lower(): c for c in candidates if c}
    close = difflib.get_close_matches(term.lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(by_lower[c]) for c in close)}?)" if close else ""
    return ScopeError(f"scope.{level}: {term!r} is not a MedDRA {level.upper()} name in {where}{hint}")


def resolve_scope(conn: duckdb.DuckDBPyConnection, scope: Scope, options: MeddraOptions | None = None) -> ResolvedScope:
    """Resolve ``scope`` to current PTs; raise ScopeError naming the level and term on any failure."""
    options = options or MeddraOptions()
    schema, reason = choose_hierarchy(conn, options)
    if scope.is_empty:
        return ResolvedScope(
            pts=(), matches=(), hierarchy=schema, version=hierarchy_version(conn, schema) if schema else None
        )
    if schema is None and scope.needs_hierarchy:
        levels = [level for level in ("soc", "hlgt", "hlt") if getattr(scope, level)]
        raise ScopeError(
            f"scope.{levels[0]}: a {'/'.join(level.upper() for level in levels)} scope needs the licensed "
            f"MedDRA hierarchy ({reason}): load it with `faers load-meddra DIR` (MSSO's MedAscii folder) and "
            "rebuild (`faers build`), or give the scope as a PT list (scope.pt); the demo subset "
            "(seeds/meddra_demo) covers only the synthetic sample's terms and is used only with `meddra: demo`"
        )
    where = f"schema {schema}" if schema else "(no hierarchy)"
    matches: list[ScopeMatch] = []
    for level in ("soc", "hlgt", "hlt"):
        for term in getattr(scope, level):
            primary = "and is_primary_soc" if level == "soc" and options.soc_membership == "primary" else ""
            rows = conn.execute(
                f"select distinct pt_name from {schema}.md_hierarchy "
                f"where lower({level}_name) = lower(?) {primary} order by pt_name",
                [term.strip()],
            ).fetchall()
            if not rows:
                query = f"select distinct {level}_name from {schema}.md_hierarchy"
                names = [r[0] for r in conn.execute(query).fetchall()]
                raise _unknown(term, level, names, where)
            matches += [ScopeMatch(level, term, row[0], level) for row in rows]
    for term in scope.pt:
        matches.append(_resolve_pt(conn, schema, term, where))
    seen: dict[str, str] = {}
    for match in matches:
        seen.setdefault(match.pt.lower(), match.pt)
    return ResolvedScope(
        pts=tuple(sorted(seen.values(), key=str.lower)),
        matches=tuple(matches),
        hierarchy=schema,
        version=hierarchy_version(conn, schema) if schema else None,
    )


def _resolve_pt(conn: duckdb.DuckDBPyConnection, schema: str | None, term: str, where: str) -> ScopeMatch:
    """A PT-level term: a current PT, else an LLT (or legacy term) mapped to its PT.

    Unknown terms are an error against the licensed hierarchy; against the demo subset or without a
    hierarchy they are kept as given (the demo covers only the sample's terms).
    """
    if schema is not None:
        query = f"select pt_name from {schema}.pt where lower(pt_name) = lower(?)"
        row = conn.execute(query, [term]).fetchall()
        if row:
            return ScopeMatch("pt", term, row[0][0], "pt")
        row = conn.execute(
            f"select pt.pt_name from {schema}.llt inner join {schema}.pt on llt.pt_code = pt.pt_code "
            "where lower(llt.llt_name) = lower(?) order by llt.is_current desc limit 1",
            [term],
        ).fetchall()
        if row:
            return ScopeMatch("pt", term, row[0][0], "llt")
        if schema == "meddra":
            names = [r[0] for r in conn.execute(f"select pt_name from {schema}.pt").fetchall()]
            raise _unknown(term, "pt", names, where)
    return ScopeMatch("pt", term, term.strip(), "as_given")
