"""The licensed MedDRA in the warehouse: `faers load-meddra` then a dbt build resolves every reported term to
its current PT in fct_case_reaction (and the signals count current PTs); without MedDRA, as before.

The MedDRA is test_meddra's MSSO-format fixture (27.1): 'Convulsion' is a former PT (a non-current LLT of
'Seizure', the PT renamed in MedDRA 19) and 'Drowsiness' an LLT of 'Somnolence'. In a copy of the sample
warehouse every 'Seizure' is reported as 'CONVULSION' (legacy upper case) and half the 'Somnolence' as
'Drowsiness' (an LLT reported as if a PT).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from test_meddra import write_distribution

from faers.dbt import run_dbt
from faers.meddra import load_meddra
from faers.study.run import run_study

pytestmark = pytest.mark.slow

REBUILT = ["int_terms_canonical", "int_terms_resolved", "fct_case_reaction", "fct_case_indication"]


@pytest.fixture(scope="module")
def meddra_warehouse(built_warehouse: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("meddra_warehouse")
    db_path = folder / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.db_path, db_path)
    with duckdb.connect(str(db_path)) as conn:
        load_meddra(write_distribution(folder / "MedAscii"), conn)
        conn.execute("update staging.stg_faers__reac set pt = 'CONVULSION' where pt = 'Seizure'")
        conn.execute(
            "update staging.stg_faers__reac set pt = 'Drowsiness' where pt = 'Somnolence' and primary_id % 2 = 0"
        )
    run_dbt(["build", "--select", *REBUILT, "drug_event_cells", "signals", "--quiet"], db_path=db_path)
    return db_path


def test_reported_terms_resolve_to_current_pts(meddra_warehouse: Path, built_warehouse: Any) -> None:
    with duckdb.connect(str(meddra_warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select pt, reported_term, term_status, pt_code, soc, hlt_code, hlgt_code, count(*) "
            "from fct_case_reaction where pt in ('Seizure', 'Somnolence', 'Nausea') or reported_term = 'CONVULSION' "
            "group by all order by all"
        ).fetchall()
        release = conn.execute("select comment from duckdb_tables() where table_name = 'int_terms_resolved'").fetchall()
        before = duckdb.connect(str(built_warehouse.db_path), read_only=True)
        counts = dict(
            before.execute(
                "select pt, count(*) from fct_case_reaction where pt in ('Seizure', 'Somnolence') group by pt"
            ).fetchall()
        )
        legacy = before.execute("select count(*) from staging.stg_faers__reac where pt = 'SEIZURE'").fetchall()[0][0]
        before.close()
        seizure_signal = conn.execute("select a from signals where drug = 'baclofen' and pt = 'Seizure'").fetchall()
        old_names = conn.execute("select count(*) from signals where pt in ('CONVULSION', 'Drowsiness')").fetchall()[0][
            0
        ]
    nervous, somnolence, seizure = "Nervous system disorders", 10041349, 10039906
    by_status = {(r[0], r[1], r[2]): r[7] for r in rows}
    # the former PT in legacy upper case: an LLT of the current PT; the PT itself as reported in legacy case
    assert (
        by_status[("Seizure", "CONVULSION", "llt")] + by_status.get(("Seizure", "SEIZURE", "current_pt"), 0)
        == (counts["Seizure"])
    )
    assert by_status.get(("Seizure", "SEIZURE", "current_pt"), 0) <= legacy
    # an LLT reported as a PT: its PT, one row per report even where both were reported
    assert (
        by_status[("Somnolence", "Drowsiness", "llt")] + by_status[("Somnolence", "Somnolence", "current_pt")]
        == (counts["Somnolence"])
    )
    # not in this MedDRA: kept as reported, no codes
    assert rows[0][:7] == ("Nausea", "Nausea", "unresolved", None, None, None, None)
    codes = {(r[0], r[3], r[4], r[5], r[6]) for r in rows if r[2] != "unresolved"}
    assert codes == {
        ("Seizure", seizure, nervous, 10039911, 10039912),
        ("Somnolence", somnolence, nervous, 10013395, 10029305),
    }
    assert release == [("meddra_release=27.1",)]
    # the signals count the current PT only (the planted count), never the old names
    assert seizure_signal == [(built_warehouse.truth["signals"]["cells"]["baclofen"]["Seizure"],)]
    assert old_names == 0


def test_without_meddra_the_marts_are_as_before(built_warehouse: Any) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as conn:
        status = conn.execute(
            "select count(*), count(term_status), count(pt_code), count(soc), bool_and(pt = reported_term) "
            "from fct_case_reaction"
        ).fetchall()[0]
        comment = conn.execute("select comment from duckdb_tables() where table_name = 'int_terms_resolved'").fetchall()
    assert status[0] > 0 and status[1:] == (0, 0, 0, True)
    assert comment == [("meddra_release=none",)]


def test_study_uses_the_licensed_hierarchy_with_all_soc_membership(meddra_warehouse: Path, tmp_path: Path) -> None:
    # the fixture's Confusional state has its primary SOC in Psychiatric disorders and a secondary path in
    # Nervous system disorders: membership 'all' takes it, 'primary' (test_meddra) does not
    study_file = tmp_path / "study.yml"
    study_file.write_text(
        "name: Baclofen, nervous system (all SOC paths)\n"
        "drug: {generic: baclofen}\n"
        "period: {first: 2004Q1, last: 2026Q4}\n"
        "scope: {soc: [Nervous system disorders]}\n"
        "meddra: {soc_membership: all}\n"
        "subgroups: [sex]\n"
    )
    result = run_study(study_file, tmp_path / "out", meddra_warehouse)
    scope = pl.read_csv(result.out_dir / "tables" / "scope.csv")
    assert set(scope["pt"]) == {"Seizure", "Somnolence", "Confusional state"}
    settings = dict(pl.read_csv(result.out_dir / "tables" / "settings.csv").select("setting", "value").iter_rows())
    assert json.loads(settings["meddra.hierarchy"]) == "meddra"
    assert json.loads(settings["meddra.release"]) == "27.1"
    assert json.loads(settings["meddra.soc_membership"]) == "all"
    signals = pl.read_csv(result.out_dir / "tables" / "signals.csv")
    assert set(signals.filter(pl.col("in_scope"))["pt"]) == {"Seizure", "Somnolence", "Confusional state"}
