"""The MGPS prior: its five hyper-parameters, the record of a fit (PriorFit), and a prior given by the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Likelihood = Literal["truncated", "full"]


@dataclass(frozen=True)
class Prior:
    """The five hyper-parameters (gamma shape/rate; component 1 has the larger mean after a fit)."""

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    p: float

    @classmethod
    def from_sequence(cls, values: Sequence[float]) -> Prior:
        """Build from [alpha1, beta1, alpha2, beta2, p]; raises ValueError on a malformed list."""
        if len(values) != 5:
            raise ValueError(f"an MGPS prior has 5 values [alpha1, beta1, alpha2, beta2, p], got {values!r}")
        alpha1, beta1, alpha2, beta2, p = (float(v) for v in values)
        if min(alpha1, beta1, alpha2, beta2) <= 0 or not 0 < p < 1:
            raise ValueError(f"MGPS prior needs positive shapes/rates and 0 < p < 1, got {values!r}")
        return cls(alpha1, beta1, alpha2, beta2, p)

    def as_array(self) -> np.ndarray:
        return np.array([self.alpha1, self.beta1, self.alpha2, self.beta2, self.p])


@dataclass(frozen=True)
class PriorFit:
    """Result of :func:`fit_prior`; ``usable`` says whether EBGM may be published from it."""

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    p: float
    neg_log_likelihood: float
    likelihood: str
    converged: bool
    at_boundary: bool
    boundary: str
    method: str
    message: str
    n_starts: int
    n_converged_starts: int
    n_cells: int
    n_zero_cells: float
    iterations: int
    gradient_norm: float
    fixed: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def usable(self) -> bool:
        """A converged interior (or point-mass limit) optimum, or a prior given by the user."""
        return self.fixed or (self.converged and self.boundary in ("", "point_mass"))

    @property
    def prior(self) -> Prior:
        return Prior(self.alpha1, self.beta1, self.alpha2, self.beta2, self.p)

    def as_row(self) -> dict[str, Any]:
        """One flat row (the columns of the ``mgps_prior`` table)."""
        row = asdict(self)
        row.pop("extra")
        row["is_usable"] = self.usable
        return row


def fixed_prior(values: Sequence[float], *, likelihood: str = "fixed") -> PriorFit:
    """A PriorFit for a prior given by the user (var ``mgps_prior``): no fit, always usable."""
    prior = Prior.from_sequence(values)
    return PriorFit(
        alpha1=prior.alpha1,
        beta1=prior.beta1,
        alpha2=prior.alpha2,
        beta2=prior.beta2,
        p=prior.p,
        neg_log_likelihood=float("nan"),
        likelihood=likelihood,
        converged=True,
        at_boundary=False,
        boundary="",
        method="fixed (var mgps_prior)",
        message="prior given by the user, not fitted",
        n_starts=0,
        n_converged_starts=0,
        n_cells=0,
        n_zero_cells=0.0,
        iterations=0,
        gradient_norm=0.0,
        fixed=True,
    )


def parse_prior_setting(value: object) -> list[float] | None:
    """The var ``mgps_prior`` as it reaches a Python model: None/'none'/'' or a 5-list (maybe as text)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "none", "null", "~"):
            return None
        import yaml

        value = yaml.safe_load(text)
        if value is None:
            return None
    if not isinstance(value, list | tuple):
        raise ValueError(f"var mgps_prior must be [alpha1, beta1, alpha2, beta2, p] or null, got {value!r}")
    return list(Prior.from_sequence(value).as_array())


def strata_label(strata: object, year_band: object) -> str:
    """The E a prior was fitted on (mgps_prior.expected_strata), from var expected_strata joined with ',' and
    var expected_year_band: '' for the crude E, else the strata joined with ',' (report_year in bands of more
    than one year as 'report_year/<band>')."""
    band = int(year_band or 1)
    names = [name for name in str(strata or "").split(",") if name]
    return ",".join(f"{name}/{band}" if name == "report_year" and band > 1 else name for name in names)
