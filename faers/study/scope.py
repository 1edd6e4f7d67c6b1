"""MedDRA scope resolution: SOC / HLGT / HLT names and PT, LLT or legacy upper-case terms to current PTs.

The hierarchy is the licensed one in schema ``meddra`` (``faers load-meddra``) when loaded, else the demo
subset seeded in schema ``meddra_demo`` (``seeds/meddra_demo``). A SOC, HLGT or HLT scope without either is
an error, never an empty result. Matching is case-insensitive (FAERS legacy terms are upper case).
A SOC takes the PTs whose *primary* SOC path runs through it (each PT counted in one SOC, as MSSO's
primary-SOC rule intends); HLGT and HLT take every PT linked to them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from faers.study.config import Scope

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


def resolve_scope(conn: duckdb.DuckDBPyConnection, scope: Scope) -> ResolvedScope:
    """Resolve ``scope`` to current PTs; raise ScopeError naming the level and term on any failure."""
    if scope.is_empty:
        return ResolvedScope(pts=(), matches=(), hierarchy=None, version=None)
    schema = find_hierarchy(conn)
    if schema is None and scope.needs_hierarchy:
        levels = [level for level in ("soc", "hlgt", "hlt") if getattr(scope, level)]
        raise ScopeError(
            f"scope.{levels[0]}: a {'/'.join(level.upper() for level in levels)} scope needs the MedDRA "
            "hierarchy: load it with `faers load-meddra DIR` (MSSO's MedAscii folder), or run `dbt build` "
            "for the demo subset (seeds/meddra_demo), or give the scope as a PT list"
        )
    where = f"schema {schema}" if schema else "(no hierarchy)"
    matches: list[ScopeMatch] = []
    for level in ("soc", "hlgt", "hlt"):
        for term in getattr(scope, level):
            primary = "and is_primary_soc" if level == "soc" else ""
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
