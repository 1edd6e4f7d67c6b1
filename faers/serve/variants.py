"""What formula produced each statistic of the signals mart: the build's dbt vars (dbt_project.yml's defaults,
overridden by the vars of the last complete build in audit.builds) in words, with the MGPS prior used."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from faers.serve.db import Warehouse
from loaders.paths import PROJECT_DIR

IC_FORMULAS = {
    "noren": "IC = log2((a+0.5)/(E+0.5)); IC025/IC975 from exact Gamma(a+0.5, E+0.5) quantiles (Norén et al. 2013)",
    "noren_approx": "IC = log2((a+0.5)/(E+0.5)); closed-form limits IC - 3.3(a+.5)^-1/2 - 2(a+.5)^-3/2 "
    "and IC + 2.4(a+.5)^-1/2 - 0.5(a+.5)^-3/2 (Norén et al. 2013)",
    "bate": "classic BCPNN, beta priors, variance approximation, normal limits (Bate et al. 1998)",
    "gould": "BCPNN with exact log-moments by digamma/trigamma, normal limits (Gould 2003)",
    "table2": "IC = log2(aN/((a+b)(a+c))); limits exp(ln IC ± z sqrt(1/a+1/b+1/c+1/d))",
}
EBGM_FORMULAS = {
    "mgps": "EBGM, EB05, EB95 from the MGPS posterior with the fitted two-gamma prior (DuMouchel 1999)",
    "table2": "the simplified 'Table 2' EBGM with a log-normal interval",
}


@cache
def project_vars() -> dict[str, Any]:
    """dbt_project.yml's vars (the defaults of every build)."""
    document = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(document.get("vars") or {})


def build_vars(warehouse: Warehouse) -> tuple[dict[str, Any], str]:
    """The effective vars of the marts and where they come from (the last complete full build)."""
    from faers.builds import read_state

    effective = dict(project_vars())
    state = warehouse.with_cursor(read_state) if warehouse.has("audit.builds") else None
    last = state.last_complete if state is not None else None
    if last is None:
        return effective, "dbt_project.yml defaults (no complete build recorded in audit.builds)"
    effective.update(last.vars or {})
    given = ", ".join(f"{k}={v}" for k, v in sorted((last.vars or {}).items()))
    return effective, f"{last.label()}" + (f" with vars {given}" if given else " with the defaults of dbt_project.yml")


def formula_variants(warehouse: Warehouse, row: dict[str, Any], prior: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(statistic, formula and thresholds) lines for the pair page."""
    settings, source = build_vars(warehouse)
    z = settings.get("z_975")
    yates = settings.get("chi2_yates", True)
    lines = [
        ("built by", source),
        (
            "ROR",
            f"ad/(bc), Woolf 95% interval exp(ln ROR ± z sqrt(1/a+1/b+1/c+1/d)), z = {z}; signal when "
            f"a >= {settings.get('ror_min_a')} and ROR lower > {settings.get('ror_lower_threshold')}",
        ),
        (
            "PRR",
            f"(a/(a+b))/(c/(c+d)) with its 95% interval; chi-square {'with' if yates else 'without'} Yates' "
            f"correction; signal when a >= {settings.get('prr_min_a')}, PRR >= {settings.get('prr_threshold')} "
            f"and chi2 >= {settings.get('prr_chi2_threshold')}",
        ),
        (
            "IC",
            f"ic_variant {settings.get('ic_variant')}: {IC_FORMULAS.get(str(settings.get('ic_variant')), '?')}; "
            f"signal when IC025 > {settings.get('ic025_threshold')}",
        ),
    ]
    ebgm = str(settings.get("ebgm_variant"))
    text = f"ebgm_variant {ebgm}: {EBGM_FORMULAS.get(ebgm, '?')}; signal when EB05 >= {settings.get('eb05_threshold')}"
    if ebgm == "mgps" and prior is not None:
        how = "fixed by var mgps_prior" if prior.get("fixed") else f"{prior.get('likelihood')} likelihood fit"
        text += (
            f"; prior ({how}) alpha1={prior.get('alpha1')}, beta1={prior.get('beta1')}, alpha2={prior.get('alpha2')}, "
            f"beta2={prior.get('beta2')}, p={prior.get('p')}, usable: {prior.get('is_usable')}"
        )
    lines.append(("EBGM", text))
    lines.append(
        (
            "counting",
            f"drug_unit {settings.get('drug_unit')}, suspect_roles {settings.get('suspect_roles')}; "
            f"E = (a+b)(a+c)/N = {row.get('expected')}",
        )
    )
    return lines
