"""The study file: a small YAML document, validated strictly.

An unknown key or a bad value is a ``StudyFileError`` naming the file, the line and the dotted key, e.g.
``studies/x.yml:7: scope.soc: expected a list of non-empty strings, got 3``. See ``studies/baclofen.yml``
for the worked example and ``docs`` in that file for every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from faers.vars import allowed_values
from loaders.quarters import Quarter, QuarterError

STRATUM_VARS = ("sex", "age_group", "seriousness", "route", "reporter")
DEFAULT_STRATA = ("sex", "age_group", "seriousness")
SCOPE_LEVELS = ("soc", "hlgt", "hlt", "pt")


class StudyFileError(ValueError):
    """The study file is missing, unreadable, or holds an unknown key or a bad value."""


@dataclass(frozen=True)
class Thresholds:
    """Signal criteria (the reference study's defaults: Evans PRR, Woolf ROR, IC025, EB05)."""

    min_reports: int = 3
    ror_lower: float = 1.0
    prr: float = 2.0
    chi2: float = 4.0
    ic025: float = 0.0
    eb05: float = 2.0


IC_VARIANTS = allowed_values("ic_variant")  # the one definition: macro faers_var_rules (faers.vars)
EBGM_VARIANTS = allowed_values("ebgm_variant")
MGPS_LIKELIHOODS = allowed_values("mgps_likelihood")
EXPECTED_STRATA = allowed_values("expected_strata")


@dataclass(frozen=True)
class Formula:
    """Formula variants; None keeps the project's default (the var of the same name in dbt_project.yml).

    ``chi2_yates``: Yates-corrected chi-square in the PRR criterion; ``ic_variant``: the IC formula
    (macros/signals/ic.sql); ``ebgm_variant``: 'mgps' or the simplified 'table2' (macros/signals/ebgm.sql);
    ``table2_eb_z``: z of the table2 EB05/EB95 interval; ``mgps_likelihood``: 'full' or 'truncated' (the
    per-stratum prior fits); ``mgps_prior``: a fixed [alpha1, beta1, alpha2, beta2, p] for every stratum
    (no fit). Adjusted signals of the overall population (docs/adjusted_signals.md): ``expected_strata`` (the
    stratified E), ``expected_year_band``, ``background_exclude_drugs`` (the masked background); either needs
    mgps_likelihood truncated or a fixed prior.
    """

    chi2_yates: bool | None = None
    ic_variant: str | None = None
    ebgm_variant: str | None = None
    table2_eb_z: float | None = None
    mgps_likelihood: str | None = None
    mgps_prior: tuple[float, float, float, float, float] | None = None
    expected_strata: tuple[str, ...] | None = None
    expected_year_band: int | None = None
    background_exclude_drugs: tuple[str, ...] | None = None


MEDDRA_HIERARCHIES = ("licensed", "demo")
SOC_MEMBERSHIPS = ("primary", "all")


@dataclass(frozen=True)
class MeddraOptions:
    """Which MedDRA hierarchy a SOC/HLGT/HLT scope may use and how a SOC takes its PTs.

    ``hierarchy``: 'licensed' (schema meddra, `faers load-meddra`; the demo seed only on a warehouse loaded
    from `faers sample` zips alone) or 'demo' (the demo seed, explicitly). ``soc_membership``: 'primary'
    (a PT belongs to its primary SOC only, as most papers count) or 'all' (every SOC a PT is linked to).
    """

    hierarchy: str = "licensed"
    soc_membership: str = "primary"


ROUTE_LEVELS = ("oral", "intrathecal")
REPORTER_LEVELS = ("health_professional", "consumer")


@dataclass(frozen=True)
class StrataOptions:
    """Levels of the route stratum (the route of the report's study drug, else of its primary suspect
    drug, lower case; other routes are left out of the route strata)."""

    route: tuple[str, ...] = ROUTE_LEVELS


@dataclass(frozen=True)
class Tables:
    """Sizes of the 'top' lists."""

    top_ror: int = 10
    top_countries: int = 5
    top_indications: int = 10
    top_co_suspects: int = 5


@dataclass(frozen=True)
class TtoOptions:
    """Time to onset: a PT gets its own Weibull fit from ``min_cases`` reports on."""

    min_cases: int = 10


@dataclass(frozen=True)
class Scope:
    """The MedDRA scope: names per level, plus LLT or legacy terms (resolved to current PTs)."""

    soc: tuple[str, ...] = ()
    hlgt: tuple[str, ...] = ()
    hlt: tuple[str, ...] = ()
    pt: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.soc or self.hlgt or self.hlt or self.pt)

    @property
    def needs_hierarchy(self) -> bool:
        return bool(self.soc or self.hlgt or self.hlt)


@dataclass(frozen=True)
class StudyConfig:
    """A validated study file."""

    name: str
    generic: str
    brands: tuple[str, ...]
    suspect_roles: tuple[str, ...]
    first_quarter: str
    last_quarter: str
    scope: Scope
    subgroups: tuple[str, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    formula: Formula = field(default_factory=Formula)
    tables: Tables = field(default_factory=Tables)
    tto: TtoOptions = field(default_factory=TtoOptions)
    meddra: MeddraOptions = field(default_factory=MeddraOptions)
    strata: StrataOptions = field(default_factory=StrataOptions)
    description: str | None = None
    drug_unit: str | None = None  # None keeps the build's var drug_unit ('ingredient' by default)

    @property
    def drug_names(self) -> tuple[str, ...]:
        """Every name of the drug, lower case, generic first (what ``drug``, drugname, prod_ai match)."""
        names = [self.generic.lower()]
        names += [brand.lower() for brand in self.brands if brand.lower() not in names]
        return tuple(names)


ROLE_CODES = allowed_values("suspect_roles")
DRUG_UNITS = allowed_values("drug_unit")
"""Values of the study file's ``drug_unit`` (the dbt var drug_unit: what counts as one drug in the cells)."""

_TOP_KEYS = {
    "name",
    "description",
    "drug",
    "suspect_roles",
    "period",
    "scope",
    "subgroups",
    "thresholds",
    "formula",
    "tables",
    "tto",
    "drug_unit",
    "meddra",
    "strata",
}


class _Reader:
    """Walks the parsed document with line numbers, so that every error names file:line: key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        try:
            self.root = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise StudyFileError(f"{path}{line}: not valid YAML: {exc}") from exc

    def error(self, node: yaml.Node | None, key: str, message: str) -> StudyFileError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return StudyFileError(f"{self.path}{line}: {key}: {message}")

    def mapping(self, node: yaml.Node | None, key: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key or "(top level)", "expected a mapping of keys to values")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            dotted = f"{key}.{name}" if key else name
            if name not in allowed:
                raise self.error(key_node, dotted, f"unknown key (allowed here: {', '.join(sorted(allowed))})")
            if name in out:
                raise self.error(key_node, dotted, "key given twice")
            out[name] = value_node
        return out

    def value(self, node: yaml.Node) -> Any:
        return yaml.safe_load(yaml.serialize(node))

    def string(self, node: yaml.Node, key: str) -> str:
        value = self.value(node)
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def strings(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        value = self.value(node)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(node, key, f"expected a list of non-empty strings, got {value!r}")
        return tuple(v.strip() for v in value)

    def number(self, node: yaml.Node, key: str, *, integer: bool, minimum: float) -> float:
        value = self.value(node)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or value < minimum:
            kind = "an integer" if integer else "a number"
            raise self.error(node, key, f"expected {kind} >= {minimum:g}, got {value!r}")
        return value

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.value(node)
        if not isinstance(value, bool):
            raise self.error(node, key, f"expected true or false, got {value!r}")
        return value

    def choice(self, node: yaml.Node, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(node, key)
        if value not in allowed:
            raise self.error(node, key, f"got {value!r}; allowed: {list(allowed)}")
        return value

    def prior(self, node: yaml.Node, key: str) -> tuple[float, float, float, float, float] | None:
        value = self.value(node)
        if value is None:
            return None
        ok = isinstance(value, list) and len(value) == 5
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
        if not ok or not value[4] < 1:
            raise self.error(
                node, key, f"expected [alpha1, beta1, alpha2, beta2, p] (positive numbers, p < 1), got {value!r}"
            )
        return tuple(float(v) for v in value)  # type: ignore[return-value]

    def quarter(self, node: yaml.Node, key: str) -> str:
        try:
            return str(Quarter.parse(str(self.value(node))))
        except QuarterError:
            raise self.error(node, key, f"expected a quarter such as 2004Q1, got {self.value(node)!r}") from None


def load_study(path: Path) -> StudyConfig:
    """Read and validate a study file; raise StudyFileError naming file, line and key on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyFileError(f"{path}: cannot read the study file: {exc}") from exc
    return parse_study(text, path)


def parse_study(text: str, path: Path) -> StudyConfig:
    """Validate the YAML text of a study file (``path`` names it in errors)."""
    reader = _Reader(path, text)
    top = reader.mapping(reader.root, "", _TOP_KEYS)
    for required in ("name", "drug", "period"):
        if required not in top:
            raise reader.error(reader.root, required, "required key is missing")

    drug = reader.mapping(top["drug"], "drug", {"generic", "brands"})
    if "generic" not in drug:
        raise reader.error(top["drug"], "drug.generic", "required key is missing")
    generic = reader.string(drug["generic"], "drug.generic")
    brands = reader.strings(drug["brands"], "drug.brands") if "brands" in drug else ()

    roles: tuple[str, ...] = ("PS",)
    if "suspect_roles" in top:
        roles = tuple(r.upper() for r in reader.strings(top["suspect_roles"], "suspect_roles"))
        unknown = [r for r in roles if r not in ROLE_CODES]
        if unknown or not roles:
            raise reader.error(
                top["suspect_roles"], "suspect_roles", f"unknown role code(s) {unknown}; use {ROLE_CODES}"
            )

    period = reader.mapping(top["period"], "period", {"first", "last"})
    for required in ("first", "last"):
        if required not in period:
            raise reader.error(top["period"], f"period.{required}", "required key is missing")
    first = reader.quarter(period["first"], "period.first")
    last = reader.quarter(period["last"], "period.last")
    if first > last:
        raise reader.error(period["last"], "period", f"first quarter {first} is after last quarter {last}")

    scope = Scope()
    if "scope" in top:
        levels = reader.mapping(top["scope"], "scope", set(SCOPE_LEVELS))
        scope = Scope(**{level: reader.strings(node, f"scope.{level}") for level, node in levels.items()})

    subgroups: tuple[str, ...] = DEFAULT_STRATA
    if "subgroups" in top:
        subgroups = reader.strings(top["subgroups"], "subgroups")
        bad = [s for s in subgroups if s not in STRATUM_VARS]
        if bad:
            raise reader.error(
                top["subgroups"], "subgroups", f"unknown subgroup(s) {bad}; allowed: {list(STRATUM_VARS)}"
            )

    thresholds = Thresholds()
    if "thresholds" in top:
        nodes = reader.mapping(top["thresholds"], "thresholds", set(Thresholds.__dataclass_fields__))
        thresholds = Thresholds(
            **{
                key: reader.number(
                    node,
                    f"thresholds.{key}",
                    integer=key == "min_reports",
                    minimum=1 if key == "min_reports" else (float("-inf") if key == "ic025" else 0),
                )
                for key, node in nodes.items()
            }
        )

    formula = Formula()
    if "formula" in top:
        nodes = reader.mapping(top["formula"], "formula", set(Formula.__dataclass_fields__))
        values: dict[str, Any] = {}
        if "chi2_yates" in nodes:
            values["chi2_yates"] = reader.boolean(nodes["chi2_yates"], "formula.chi2_yates")
        if "ic_variant" in nodes:
            variant = reader.string(nodes["ic_variant"], "formula.ic_variant")
            if variant not in IC_VARIANTS:
                allowed = f"got {variant!r}; allowed: {list(IC_VARIANTS)}"
                raise reader.error(nodes["ic_variant"], "formula.ic_variant", allowed)
            values["ic_variant"] = variant
        if "ebgm_variant" in nodes:
            values["ebgm_variant"] = reader.choice(nodes["ebgm_variant"], "formula.ebgm_variant", EBGM_VARIANTS)
        if "mgps_likelihood" in nodes:
            key = "formula.mgps_likelihood"
            values["mgps_likelihood"] = reader.choice(nodes["mgps_likelihood"], key, MGPS_LIKELIHOODS)
        if "table2_eb_z" in nodes:
            values["table2_eb_z"] = reader.number(nodes["table2_eb_z"], "formula.table2_eb_z", integer=False, minimum=0)
        if "mgps_prior" in nodes:
            values["mgps_prior"] = reader.prior(nodes["mgps_prior"], "formula.mgps_prior")
        if "expected_strata" in nodes:
            node = nodes["expected_strata"]
            strata = () if reader.value(node) == [] else reader.strings(node, "formula.expected_strata")
            bad = [name for name in strata if name not in EXPECTED_STRATA]
            if bad:
                raise reader.error(node, "formula.expected_strata", f"got {bad}; allowed: {list(EXPECTED_STRATA)}")
            values["expected_strata"] = strata
        if "expected_year_band" in nodes:
            key = "formula.expected_year_band"
            values["expected_year_band"] = int(reader.number(nodes["expected_year_band"], key, integer=True, minimum=1))
        if "background_exclude_drugs" in nodes:
            node = nodes["background_exclude_drugs"]
            names = () if reader.value(node) == [] else reader.strings(node, "formula.background_exclude_drugs")
            if any("'" in name for name in names):
                raise reader.error(node, "formula.background_exclude_drugs", f"a name holds a quote: {list(names)}")
            values["background_exclude_drugs"] = tuple(name.lower() for name in names)
        if values.get("expected_strata") or values.get("background_exclude_drugs"):
            fixed = values.get("mgps_prior") is not None
            if values.get("expected_strata") and values.get("background_exclude_drugs"):
                raise reader.error(
                    top["formula"], "formula", "set expected_strata or background_exclude_drugs, not both"
                )
            if values.get("mgps_likelihood") != "truncated" and not fixed:
                raise reader.error(
                    top["formula"],
                    "formula",
                    "expected_strata and background_exclude_drugs need mgps_likelihood: truncated (openEBGM) or "
                    "a fixed mgps_prior: they make E cell-specific, the full likelihood groups zero cells by margins",
                )
        formula = Formula(**values)

    tables = Tables()
    if "tables" in top:
        nodes = reader.mapping(top["tables"], "tables", set(Tables.__dataclass_fields__))
        tables = Tables(
            **{key: int(reader.number(node, f"tables.{key}", integer=True, minimum=1)) for key, node in nodes.items()}
        )

    tto = TtoOptions()
    if "tto" in top:
        nodes = reader.mapping(top["tto"], "tto", set(TtoOptions.__dataclass_fields__))
        tto = TtoOptions(
            **{key: int(reader.number(node, f"tto.{key}", integer=True, minimum=2)) for key, node in nodes.items()}
        )

    drug_unit: str | None = None
    if "drug_unit" in top:
        drug_unit = reader.string(top["drug_unit"], "drug_unit")
        if drug_unit not in DRUG_UNITS:
            raise reader.error(top["drug_unit"], "drug_unit", f"got {drug_unit!r}; allowed: {list(DRUG_UNITS)}")
    meddra = MeddraOptions()
    if "meddra" in top:
        node = top["meddra"]
        if isinstance(node, yaml.ScalarNode):  # shorthand: `meddra: demo`
            meddra = MeddraOptions(hierarchy=reader.choice(node, "meddra", MEDDRA_HIERARCHIES))
        else:
            nodes = reader.mapping(node, "meddra", {"hierarchy", "soc_membership"})
            meddra = MeddraOptions(
                hierarchy=reader.choice(nodes["hierarchy"], "meddra.hierarchy", MEDDRA_HIERARCHIES)
                if "hierarchy" in nodes
                else "licensed",
                soc_membership=reader.choice(nodes["soc_membership"], "meddra.soc_membership", SOC_MEMBERSHIPS)
                if "soc_membership" in nodes
                else "primary",
            )

    strata = StrataOptions()
    if "strata" in top:
        nodes = reader.mapping(top["strata"], "strata", set(StrataOptions.__dataclass_fields__))
        if "route" in nodes:
            routes = tuple(dict.fromkeys(r.lower() for r in reader.strings(nodes["route"], "strata.route")))
            strata = StrataOptions(route=routes)

    return StudyConfig(
        drug_unit=drug_unit,
        name=reader.string(top["name"], "name"),
        description=reader.string(top["description"], "description") if "description" in top else None,
        generic=generic,
        brands=brands,
        suspect_roles=roles,
        first_quarter=first,
        last_quarter=last,
        scope=scope,
        subgroups=subgroups,
        thresholds=thresholds,
        formula=formula,
        tables=tables,
        tto=tto,
        meddra=meddra,
        strata=strata,
    )
