"""Streaming ingest of FDA FAERS/LAERS quarterly ASCII zips into DuckDB (schema ``raw``)."""
