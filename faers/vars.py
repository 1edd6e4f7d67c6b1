"""The project's dbt vars seen from Python: their allowed values, a ``--vars`` option, and what a build used.

* :func:`var_rules` reads the one definition of the allowed values, the YAML block of macro
  ``faers_var_rules`` (macros/vars/validate_vars.sql), which dbt checks before every run.
* :func:`parse_vars_option` turns the ``--vars`` text of ``faers build`` / ``faers update`` into the
  mapping :func:`faers.dbt.run_dbt` passes to dbt (dbt itself then validates the values).
* :func:`built_suspect_roles` reads the ``suspect_roles`` a mart was built with from its table comment
  (macro ``faers_suspect_roles_comment``), so Python readers of the marts use the build's roles rather
  than dbt_project.yml's default.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import duckdb
import yaml

from loaders.paths import PROJECT_DIR

RULES_MACRO = PROJECT_DIR / "macros" / "vars" / "validate_vars.sql"
_RULES_BLOCK = re.compile(r"\{%-?\s*set rules_yaml\s*-?%\}(.*?)\{%-?\s*endset\s*-?%\}", re.DOTALL)
_ROLES_PREFIX = "suspect_roles="


class VarsError(ValueError):
    """A ``--vars`` option that is not a YAML/JSON mapping of var names to values."""


@functools.cache
def var_rules() -> dict[str, dict[str, Any]]:
    """Var name -> rule ({kind, values | min | above}), from macro ``faers_var_rules``."""
    match = _RULES_BLOCK.search(RULES_MACRO.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError(f"{RULES_MACRO}: no `set rules_yaml` block")
    rules = yaml.safe_load(match.group(1))
    if not isinstance(rules, dict):
        raise RuntimeError(f"{RULES_MACRO}: the rules_yaml block is not a mapping")
    return rules


def allowed_values(name: str) -> tuple[str, ...]:
    """The allowed values of a ``one_of`` / ``list_of`` var (e.g. ic_variant, suspect_roles)."""
    return tuple(str(value) for value in var_rules()[name]["values"])


def parse_vars_option(text: str | None) -> dict[str, Any]:
    """The ``--vars`` text (YAML or JSON, as dbt's own ``--vars``) as a mapping; {} for None or ''."""
    if text is None or not text.strip():
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise VarsError(f"--vars: not valid YAML/JSON: {' '.join(str(exc).split())}") from exc
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise VarsError(f"--vars: expected a mapping such as '{{chi2_yates: false}}', got {text!r}")
    return value


def built_suspect_roles(conn: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    """The suspect_roles mart ``main.<table>`` was built with (None: no such table, or no record)."""
    rows = conn.execute(
        "select comment from duckdb_tables() where schema_name = 'main' and table_name = ?", [table]
    ).fetchall()
    if not rows or not (rows[0][0] or "").startswith(_ROLES_PREFIX):
        return None
    return [role for role in rows[0][0].removeprefix(_ROLES_PREFIX).split(",") if role]
