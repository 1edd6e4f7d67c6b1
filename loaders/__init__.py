"""Streaming ingest of FDA FAERS/LAERS quarterly ASCII zips into DuckDB (schema ``raw``).

Public API: ``load_paths(paths, db_path, *, progress=True) -> LoadReport`` (``loaders.load``) and, for the
``faers load`` command, ``loaders.cli.run_load``. See loaders/README.md for behaviour and guarantees.
"""

from loaders.discover import Failure
from loaders.errors import LoadError
from loaders.load import load_paths
from loaders.report import LoadReport, MemberReport, QuarterReport, TableCounts

__all__ = ["Failure", "LoadError", "LoadReport", "MemberReport", "QuarterReport", "TableCounts", "load_paths"]
