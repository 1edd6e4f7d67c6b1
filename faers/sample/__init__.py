"""Deterministic synthetic FAERS/LAERS quarterly zips in FDA's exact layout, with planted signals and a
ground truth (``faers sample``). See :func:`generate`."""

from faers.sample.generate import generate
from faers.sample.truth import SampleTruth

__all__ = ["SampleTruth", "generate"]
