"""FAERS signal warehouse: everything in Python that is not ingest (that lives in ``loaders``)."""

__version__ = "0.1.0"
