"""`faers load-meddra`: MSSO's '$'-separated ASCII files into schema meddra, and scope resolution on it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from faers.meddra import MeddraError, load_meddra, run_load_meddra
from faers.study.config import MeddraOptions, Scope
from faers.study.scope import ScopeError, find_hierarchy, resolve_scope
from loaders.paths import PROJECT_DIR

# A tiny distribution in MSSO's layout (trailing '$', unused columns empty). Real SOC codes and names;
# "Confusional state" has a primary path in Psychiatric disorders and a secondary one in Nervous system.
FILES = {
    "soc.asc": [
        "10029205$Nervous system disorders$Nerv$$$$$$$$",
        "10037175$Psychiatric disorders$Psych$$$$$$$$",
    ],
    "pt.asc": [
        "10041349$Somnolence$$10029205$$$$$$$$",
        "10039906$Seizure$$10029205$$$$$$$$",
        "10010305$Confusional state$$10037175$$$$$$$$",
    ],
    "llt.asc": [
        "10041349$Somnolence$10041349$$$$$$$Y$$",
        "10013649$Drowsiness$10041349$$$$$$$Y$$",
        "10039906$Seizure$10039906$$$$$$$Y$$",
        "10010904$Convulsion$10039906$$$$$$$N$$",
        "10010305$Confusional state$10010305$$$$$$$Y$$",
    ],
    "mdhier.asc": [
        "10041349$10013395$10029305$10029205$Somnolence$Disturbances in consciousness NEC$"
        "Neurological disorders NEC$Nervous system disorders$Nerv$$10029205$Y$",
        "10039906$10039911$10039912$10029205$Seizure$Seizures and seizure disorders NEC$"
        "Seizures (incl subtypes)$Nervous system disorders$Nerv$$10029205$Y$",
        "10010305$10010306$10012249$10037175$Confusional state$Confusion and disorientation$"
        "Deliria (incl confusion)$Psychiatric disorders$Psych$$10037175$Y$",
        "10010305$10013395$10029305$10029205$Confusional state$Disturbances in consciousness NEC$"
        "Neurological disorders NEC$Nervous system disorders$Nerv$$10037175$N$",
    ],
    "meddra_release.asc": ["27.1$English$$$$"],
}


def write_distribution(folder: Path, files: dict[str, list[str]] = FILES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    return folder


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def test_load_writes_every_table(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    result = load_meddra(write_distribution(tmp_path / "MedAscii"), conn)
    assert result.version == "27.1" and result.language == "English"
    assert result.rows == {"soc": 2, "hlgt": 3, "hlt": 3, "pt": 3, "llt": 5, "md_hierarchy": 4}
    assert conn.execute(
        "select pt_name, soc_name, is_primary_soc from meddra.md_hierarchy where pt_code = 10010305 order by 3"
    ).fetchall() == [
        ("Confusional state", "Nervous system disorders", False),
        ("Confusional state", "Psychiatric disorders", True),
    ]
    convulsion = conn.execute("select is_current from meddra.llt where llt_name = 'Convulsion'").fetchall()
    assert convulsion == [(False,)]


def test_reload_replaces_the_hierarchy(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    folder = write_distribution(tmp_path / "m")
    load_meddra(folder, conn)
    load_meddra(folder, conn)
    assert conn.execute("select count(*) from meddra.md_hierarchy").fetchall() == [(4,)]


def test_cli_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_load_meddra(write_distribution(tmp_path / "m"), tmp_path / "cli.duckdb")
    out = capsys.readouterr().out
    assert "load-meddra: MedDRA 27.1" in out and "4 md_hierarchy" in out


@pytest.mark.parametrize(
    ("name", "lines", "message"),
    [
        ("pt.asc", ["10041349$Somnolence$"], r"pt\.asc:1: expected at least 4 '\$'-separated fields"),
        ("soc.asc", ["10029205$Nerv$Nerv$", "X1$Psych$Psych$"], r"soc\.asc:2: soc_code must be a numeric"),
        (
            "llt.asc",
            [*FILES["llt.asc"], "10000001$Orphan$99999999$$$$$$$Y$$"],
            r"llt\.asc: 1 pt_code\(s\) not in pt\.asc \(e\.g\. 99999999\)",
        ),
    ],
)
def test_bad_files_name_file_and_line(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection, name: str, lines: list[str], message: str
) -> None:
    folder = write_distribution(tmp_path / "m", {**FILES, name: lines})
    with pytest.raises(MeddraError, match=message):
        load_meddra(folder, conn)
    # nothing half-written
    assert find_hierarchy(conn) is None


def test_missing_file_is_named(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    files = {k: v for k, v in FILES.items() if k != "llt.asc"}
    with pytest.raises(MeddraError, match=r"missing MedDRA file\(s\) llt\.asc"):
        load_meddra(write_distribution(tmp_path / "m", files), conn)


def test_scope_resolution(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    load_meddra(write_distribution(tmp_path / "m"), conn)
    # SOC: primary paths only, so Confusional state (primary: Psychiatric) is not in Nervous system
    soc = resolve_scope(conn, Scope(soc=("nervous SYSTEM disorders",)))
    assert soc.pts == ("Seizure", "Somnolence")
    assert soc.hierarchy == "meddra" and soc.version == "27.1"
    # HLT: every linked PT, including secondary paths
    # soc_membership all: every PT linked to the SOC, secondary paths too
    every = resolve_scope(conn, Scope(soc=("Nervous system disorders",)), MeddraOptions(soc_membership="all"))
    assert every.pts == ("Confusional state", "Seizure", "Somnolence")
    hlt = resolve_scope(conn, Scope(hlt=("Disturbances in consciousness NEC",)))
    assert hlt.pts == ("Confusional state", "Somnolence")
    # LLT and legacy upper-case terms resolve to their current PT
    pts = resolve_scope(conn, Scope(pt=("CONVULSION", "Drowsiness", "somnolence")))
    assert pts.pts == ("Seizure", "Somnolence")
    assert [m.via for m in pts.matches] == ["llt", "llt", "pt"]


def test_scope_errors(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(
        ScopeError,
        match=r"scope\.soc: a SOC scope needs the licensed MedDRA hierarchy \(no licensed MedDRA",
    ):
        resolve_scope(conn, Scope(soc=("Nervous system disorders",)))
    # a PT list needs no hierarchy
    assert resolve_scope(conn, Scope(pt=("Coma",))).pts == ("Coma",)
    load_meddra(write_distribution(tmp_path / "m"), conn)
    with pytest.raises(ScopeError, match=r"'Nervous system disorder' .* mean 'Nervous system disorders'\?"):
        resolve_scope(conn, Scope(soc=("Nervous system disorder",)))
    with pytest.raises(ScopeError, match=r"scope\.pt: 'Somnolense' is not a MedDRA PT"):
        resolve_scope(conn, Scope(pt=("Somnolense",)))


def test_demo_seeds_have_the_loaded_shape(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    load_meddra(write_distribution(tmp_path / "m"), conn)
    conn.execute("create schema meddra_demo")
    seeds = PROJECT_DIR / "seeds" / "meddra_demo"
    for table in ("soc", "hlgt", "hlt", "pt", "llt", "md_hierarchy", "release"):
        conn.execute(
            f"create table meddra_demo.{table} as select * from read_csv('{seeds / f'meddra_demo_{table}.csv'}')"
        )
        if table != "release":
            loaded = [r[0] for r in conn.execute(f"describe meddra.{table}").fetchall()]
            demo = [r[0] for r in conn.execute(f"describe meddra_demo.{table}").fetchall()]
            assert demo == loaded, table
    conn.execute("drop schema meddra cascade")
    assert find_hierarchy(conn) == "meddra_demo"
    # not a warehouse of `faers sample` zips: the demo seed only when the study asks for it
    with pytest.raises(ScopeError, match=r"needs the licensed MedDRA hierarchy .*`meddra: demo`"):
        resolve_scope(conn, Scope(soc=("Nervous system disorders",)))
    demo = MeddraOptions(hierarchy="demo")
    nervous = resolve_scope(conn, Scope(soc=("Nervous system disorders",)), demo)
    assert {"Somnolence", "Encephalopathy", "Coma", "Seizure", "Hypotonia"} <= set(nervous.pts)
    assert "Confusional state" not in nervous.pts
    assert nervous.version == "demo"
    assert resolve_scope(conn, Scope(pt=("CONVULSION",)), demo).pts == ("Seizure",)
    assert resolve_scope(conn, Scope(pt=("CONVULSION",))).pts == ("CONVULSION",)
