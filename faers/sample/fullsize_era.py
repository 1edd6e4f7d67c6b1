"""A full-size quarter's tables spelt as its era writes them: the LAERS layout (ISR/CASE keys, upper-case
drug names, routes and terms, country names, the undeclared trailing ``$``) up to 2012Q3, and the FAERS
renames of 2012Q4 (``outc_code``, ``lot_nbr``). The columns and their order come from ``layout.header``."""

from __future__ import annotations

import polars as pl

from faers.sample import vocab
from faers.sample.layout import Quarter, columns, trailing_dollar

_FAERS_ALIASES = {"outc_code": "outc_cod", "lot_nbr": "lot_num"}
"""2012Q4 header names -> the full-size frames' (2014Q3 on) names."""

_LAERS_DRUG_SEQ = {"ther": "dsg_drug_seq", "indi": "indi_drug_seq", "drug": "drug_seq"}
_LAERS_UPPER = {"drugname", "route", "pt", "indi_pt"}


def _laers_column(frame: pl.DataFrame, table: str, name: str) -> pl.Expr:
    if name == "isr":
        return pl.col("primaryid").cast(pl.Utf8)
    if name == "case":
        return pl.col("caseid").cast(pl.Utf8)
    if name == "i_f_cod":
        return pl.col("i_f_code")
    if name == "drug_seq":
        return pl.col(_LAERS_DRUG_SEQ[table]).cast(pl.Utf8)
    if name == "image":
        return pl.col("primaryid").cast(pl.Utf8) + pl.lit("-1")
    if name == "reporter_country":
        return pl.col("reporter_country").replace_strict(dict(vocab.COUNTRIES), default="")
    if name in _LAERS_UPPER:
        return pl.col(name).str.to_uppercase()
    if name in frame.columns:
        return pl.col(name)
    return pl.lit("")  # foll_seq, death_dt, confid: blank in most LAERS rows


def era_frame(frame: pl.DataFrame, quarter: Quarter, table: str) -> pl.DataFrame:
    """``frame`` (a full-size table in the 2014Q3+ spelling) with exactly ``quarter``'s columns, in file
    order, plus one empty last column where the era's rows end with an undeclared ``$``."""
    names = columns(quarter, table)
    if quarter.is_laers:
        exprs = [_laers_column(frame, table, name).alias(name) for name in names]
    else:
        exprs = [pl.col(_FAERS_ALIASES.get(name, name)).alias(name) for name in names]
    if trailing_dollar(quarter, table):
        exprs.append(pl.lit("").alias("_trailing"))
    return frame.select(exprs)
