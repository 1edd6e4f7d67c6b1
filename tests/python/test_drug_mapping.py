"""Drug-name mapping on the REAL FDA excerpts (tests/fixtures/real_samples, all five quarters, LAERS 2004Q1
included): every 2004Q1 primary-suspect row against a hand-verified brand -> ingredient list, the open
dictionary measured against prod_ai, RxNorm (a small RRF release written in NLM's layout,
tests/fixtures/rxnorm), ``faers drugs`` and var drug_unit through ``dbt build --vars``.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES / "real_samples"))
import fda_zips  # noqa: E402

# Every drug name of the 100 primary-suspect (PS) rows of the real LAERS 2004Q1 excerpt, with its active
# ingredient(s) verified by hand (brand -> generic from the product labels; this project's spelling: the
# active moiety, lower case, combinations sorted and joined with '\').
HAND_VERIFIED: dict[str, str] = {
    "(OXALIPLATIN) - SOLUTION- 85 MG/M2": "oxaliplatin",
    "ABILIFY": "aripiprazole",
    "ACCUTANE": "isotretinoin",
    "ADVAIR DISKUS 100/50": "fluticasone\\salmeterol",
    "ALEVE": "naproxen",
    "ALTACE": "ramipril",
    "AREDIA": "pamidronate",
    "ASPIRIN": "aspirin",
    "AVONEX": "interferon beta-1a",
    "CANCIDAS": "caspofungin",
    "CEFIZOX": "ceftizoxime",
    "CEREZYME": "imiglucerase",
    "CIPRO": "ciprofloxacin",
    "CLOZARIL": "clozapine",
    "COPAXONE": "glatiramer",
    "CRESTOR": "rosuvastatin",
    "CYCLOPHOSPHAMIDE": "cyclophosphamide",
    "DESMOTABS": "desmopressin",
    "DURAGESIC": "fentanyl",
    "EXCEDRIN (MIGRAINE)": "acetaminophen\\aspirin\\caffeine",
    "EXTRANEAL": "icodextrin",
    "FAMOTIDINE": "famotidine",
    "FORTEO": "teriparatide",
    "FORTUM": "ceftazidime",
    "FUZEON": "enfuvirtide",
    "GEMZAR": "gemcitabine",
    "GLIPIZIDE": "glipizide",
    "HUMATROPE": "somatropin",
    "HUMIRA": "adalimumab",
    "IRESSA": "gefitinib",
    "ISORDIL": "isosorbide dinitrate",
    "LAMICTAL": "lamotrigine",
    "LAMISIL": "terbinafine",
    "LEXAPRO": "escitalopram",
    "LIPITOR": "atorvastatin",
    "LISINOPRIL": "lisinopril",
    "MELPHALAN": "melphalan",
    "MIRAPEX": "pramipexole",
    "NAROPIN": "ropivacaine",
    "NEORAL": "ciclosporin",
    "NIFEDIPINE": "nifedipine",
    "NOVOSEVEN": "eptacog alfa",
    "OPTIRAY 320": "ioversol",
    "ORTHO EVRA": "ethinyl estradiol\\norelgestromin",
    "ORTHO TRI-CYCLEN LO": "ethinyl estradiol\\norgestimate",
    "OXYCODONE HCL": "oxycodone",
    "OXYCONTIN": "oxycodone",
    "PAXIL": "paroxetine",
    "PLAVIX": "clopidogrel",
    "PROVERA": "medroxyprogesterone",
    "RELENZA": "zanamivir",
    "REMICADE": "infliximab",
    "REQUIP": "ropinirole",
    "RISPERDAL": "risperidone",
    "SERZONE": "nefazodone",
    "SIMVASTATIN": "simvastatin",
    "SPIRIVA": "tiotropium",
    "STRATTERA": "atomoxetine",
    "TAMIFLU": "oseltamivir",
    "TAMOXIFEN CITRATE": "tamoxifen",
    "TAVOR": "lorazepam",
    "THALOMID": "thalidomide",
    "VALTREX": "valacyclovir",
    "VFEND": "voriconazole",
    "WARFARIN SODIUM": "warfarin",
    "WELLBUTRIN XL": "bupropion",
    "ZANAFLEX": "tizanidine",
    "ZELNORM": "tegaserod",
    "ZETIA": "ezetimibe",
    "ZOCOR": "simvastatin",
    "ZYBAN": "bupropion",
    "ZYPREXA": "olanzapine",
}

# The rows not mapped to the verified ingredient, and what they get instead: the open dictionary names the
# right substance under another name (its MeSH / Wikipedia heading) and no prod_ai in these excerpts spells
# it this project's way. On a warehouse whose prod_ai vocabulary holds the ingredient, the dictionary
# picks that spelling among its synonyms (faers.drug_dictionary.choose_spelling).
KNOWN_MISSES: dict[str, str] = {
    "DESMOTABS": "deamino arginine vasopressin",
    "HUMATROPE": "human growth hormone",
    "NOVOSEVEN": "recombinant factor viia",
}


def _ps_rows_2004q1() -> list[str]:
    """The drug names of the PS rows of the 2004Q1 DRUG excerpt, read from the file with the csv module."""
    text = fda_zips.table_text("2004Q1", "DRUG").decode("latin-1")
    lines = text.splitlines()
    header = lines[0].lower().split("$")
    rows = csv.reader(lines[1:], delimiter="$", quoting=csv.QUOTE_NONE)
    return [row[header.index("drugname")] for row in rows if row[header.index("role_cod")] == "PS"]


@pytest.fixture(scope="module")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All five real excerpts zipped in FDA's layout, loaded and built (warehouse nodes, tests as gates)."""
    from faers.dbt import run_dbt
    from loaders import load_paths

    base = tmp_path_factory.mktemp("real_drugs")
    fda_zips.build_all(base / "zips")
    db_path = base / "warehouse.duckdb"
    report = load_paths([base / "zips"], db_path, progress=False)
    assert not report.failed, report.failed
    run_dbt(
        [
            "build",
            "--indirect-selection",
            "cautious",
            "--select",
            "+drug_event_cells",
            "+path:models/marts/core",
            "path:tests/warehouse",
        ],
        db_path=db_path,
    )
    return db_path


@pytest.fixture(scope="module")
def conn(real_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(real_warehouse), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def test_the_hand_verified_list_covers_every_2004q1_primary_suspect_name() -> None:
    names = _ps_rows_2004q1()
    assert len(names) == 100
    assert set(names) == set(HAND_VERIFIED)


def test_2004q1_primary_suspects_map_to_the_hand_verified_ingredient(conn: duckdb.DuckDBPyConnection) -> None:
    rows = conn.execute(
        """
        select drug.drug_name, drug.drug, drug.mapping_source
        from main.fct_case_drug as drug
        inner join main.dim_case as cases using (primary_id)
        where cases.quarter = '2004Q1' and drug.role_cod = 'PS'
        """
    ).fetchall()
    assert len(rows) == 100
    correct = [name for name, drug, _ in rows if drug == HAND_VERIFIED[name]]
    wrong = {name: drug for name, drug, _ in rows if drug != HAND_VERIFIED[name]}
    assert wrong == KNOWN_MISSES
    assert len(correct) >= 97
    # every row got an ingredient from a dictionary, none is left as its cleaned name
    assert Counter(source for *_, source in rows)["cleaned_name"] == 0


def test_brand_only_laers_names_find_their_ingredient(conn: duckdb.DuckDBPyConnection) -> None:
    found = dict(
        conn.execute(
            "select drug_name, drug from intermediate.int_drug_names_normalized "
            "where drug_name in ('PAXIL', 'TAVOR', 'GEMZAR', 'ALTACE', 'IRESSA', 'TAMIFLU', 'VALTREX', 'CEREZYME')"
        ).fetchall()
    )
    assert found == {
        "PAXIL": "paroxetine",
        "TAVOR": "lorazepam",
        "GEMZAR": "gemcitabine",
        "ALTACE": "ramipril",
        "IRESSA": "gefitinib",
        "TAMIFLU": "oseltamivir",
        "VALTREX": "valacyclovir",
        "CEREZYME": "imiglucerase",
    }


def test_the_open_dictionary_agrees_with_prod_ai_where_both_are_known(conn: duckdb.DuckDBPyConnection) -> None:
    checked, agree = conn.execute(
        "select count(*) filter (where checked), count(*) filter (where agrees) "
        "from intermediate.int_drug_names_dictionary"
    ).fetchone()
    assert (checked, agree) == (34, 33)
    disagreements = conn.execute(
        "select name_key, ingredient, prod_ai_ingredient, is_applied from intermediate.int_drug_names_dictionary "
        "where checked and not agrees"
    ).fetchall()
    # the dictionary's ADDERALL is amphetamine alone; prod_ai says amphetamine and dextroamphetamine: the
    # record is dropped everywhere (var drug_dictionary_min_agreement 0.9)
    assert disagreements == [("adderall", "amphetamine", "amphetamine\\dextroamphetamine", False)]


def test_combination_rows_give_one_row_per_ingredient(conn: duckdb.DuckDBPyConnection) -> None:
    rows = conn.execute(
        """
        select drug.drug, list(ingredient.ingredient order by ingredient.ingredient)
        from main.fct_case_drug as drug
        inner join main.fct_case_drug_ingredient as ingredient using (primary_id, drug_seq)
        where drug.drug_name = 'ADVAIR DISKUS 100/50'
        group by all
        """
    ).fetchall()
    assert rows == [("fluticasone\\salmeterol", ["fluticasone", "salmeterol"])]
    total = conn.execute(
        "select (select count(*) from main.fct_case_drug_ingredient), "
        "(select sum(len(string_split(drug, '\\'))) from main.fct_case_drug where drug is not null)"
    ).fetchone()
    assert total[0] == total[1]


def _cells(db_path: Path, unit: str) -> dict[str, tuple[int, int]]:
    """drug -> (n_drug, n) of drug_event_cells after ``dbt build --vars '{drug_unit: unit}'``."""
    from faers.dbt import run_dbt

    run_dbt(["build", "--select", "drug_event_cells"], db_path=db_path, dbt_vars={"drug_unit": unit})
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return dict(
            (drug, (n_drug, n))
            for drug, n_drug, n in connection.execute(
                "select distinct drug, n_drug, n from main.drug_event_cells"
            ).fetchall()
        )


def test_drug_unit_decides_what_the_cells_count(real_warehouse: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(real_warehouse, db_path)
    with duckdb.connect(str(db_path), read_only=True) as connection:
        reports = connection.execute(
            """
            select primary_id, list(distinct drug) from main.fct_case_drug
            where role_cod = 'PS' and drug is not null
                and primary_id in (select primary_id from main.fct_case_reaction where pt is not null)
            group by primary_id
            """
        ).fetchall()
    # expected from fct_case_drug, in Python: a product counts once per report; an ingredient once per
    # report however many of the report's products hold it
    product_counts = Counter(drug for _, drugs in reports for drug in drugs)
    ingredient_counts = Counter(
        ingredient for _, drugs in reports for ingredient in {i for drug in drugs for i in drug.split("\\")}
    )
    product = _cells(db_path, "product")
    ingredient = _cells(db_path, "ingredient")
    assert {drug: n_drug for drug, (n_drug, _) in product.items()} == dict(product_counts)
    assert {drug: n_drug for drug, (n_drug, _) in ingredient.items()} == dict(ingredient_counts)
    assert "fluticasone\\salmeterol" in product and "fluticasone\\salmeterol" not in ingredient
    assert ingredient["fluticasone"][0] == product_counts["fluticasone\\salmeterol"] + product_counts["fluticasone"]
    assert {n for _, n in product.values()} == {n for _, n in ingredient.values()} == {len(reports)}


def test_drug_unit_rejects_an_unknown_value(real_warehouse: Path, tmp_path: Path) -> None:
    from faers.dbt import DbtError, run_dbt

    db_path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(real_warehouse, db_path)
    with pytest.raises(DbtError):
        run_dbt(["build", "--select", "drug_event_cells"], db_path=db_path, dbt_vars={"drug_unit": "brand"})


def test_faers_drugs_lists_mapped_and_similar_unmapped_names(real_warehouse: Path) -> None:
    from faers.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["drugs", "PAXIL", "--db", str(real_warehouse)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "PAXIL" in result.output and "PAROXETINE HCL" in result.output
    assert "2 raw names mapped (8 reports)" in result.output

    from faers.drugs import drug_names

    with duckdb.connect(str(real_warehouse), read_only=True) as connection:
        frame = drug_names(connection, ["estradiol"])
    # no dictionary knows ESTRADERM here; it looks like estradiol, so the author sees it
    assert frame.select("kind", "drug_name", "ingredient", "mapping_source", "reports").rows() == [
        ("unmapped", "ESTRADERM", "estraderm", "cleaned_name", 1)
    ]
    missing = runner.invoke(app, ["drugs", "x", "--db", str(real_warehouse.parent / "none.duckdb")])
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())


def test_the_report_finds_a_drug_by_the_brand_name_fda_publishes(real_warehouse: Path) -> None:
    # `faers report --drug NAME` looks the name up as the warehouse maps it (faers.drugs.name_ingredients, which
    # `faers drugs` uses too): PAXIL rows are mapped by the open dictionary, and no seed synonym names it
    from faers.report.data import resolve_drug
    from faers.report.errors import ReportError

    with duckdb.connect() as scratch:
        scratch.execute(f"attach '{real_warehouse}' as real (read_only)")
        scratch.execute("create table main.drug_name_audit as select * from real.main.drug_name_audit")
        seeded = scratch.execute("select count(*) from real.seeds.drug_synonyms where lower(name) = 'paxil'")
        assert seeded.fetchone() == (0,)
        # the signals of drug_unit 'ingredient' (the build's): one drug per ingredient
        scratch.execute("create table main.signals as select distinct drug from real.main.drug_event_cells")
        scratch.execute("detach real")
        assert resolve_drug(scratch, "Paxil", real_warehouse) == "paroxetine"
        advair = "ADVAIR DISKUS 100/50"  # FDA's raw name of a combination: each ingredient is a drug of the signals
        with pytest.raises(ReportError, match=r"'ADVAIR DISKUS 100/50' is a combination \(fluticasone, salmeterol\)"):
            resolve_drug(scratch, advair, real_warehouse)
        # drug_unit 'product': the ingredient set is the drug
        scratch.execute("insert into main.signals values ('fluticasone\\salmeterol')")
        assert resolve_drug(scratch, advair.lower(), real_warehouse) == "fluticasone\\salmeterol"


def test_rxnorm_resolves_names_nothing_else_maps(real_warehouse: Path, tmp_path: Path) -> None:
    from faers.cli import app
    from faers.dbt import run_dbt

    db_path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(real_warehouse, db_path)
    result = CliRunner().invoke(app, ["load-rxnorm", str(FIXTURES / "rxnorm"), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "27 rxnconso, 48 rxnrel" in result.output
    run_dbt(["build", "--select", "int_drug_names_rxnorm", "int_drug_names_normalized"], db_path=db_path)
    with duckdb.connect(str(db_path), read_only=True) as connection:
        mapped = {
            name: (drug, source)
            for name, drug, source in connection.execute(
                "select drug_name, drug, mapping_source from intermediate.int_drug_names_normalized "
                "where drug_name in ('ESTRADERM', 'LIBRAX', 'PAXIL', 'COPAXONE', 'ISOSORBIDE MONONITRATE')"
            ).fetchall()
        }
        rxnorm = dict(
            connection.execute(
                "select name_key, rxnorm_ttys from intermediate.int_drug_names_rxnorm "
                "where name_key in ('isosorbide mononitrate', 'acetaminophen\\hydrocodone bitartrate')"
            ).fetchall()
        )
    assert mapped == {
        "ESTRADERM": ("estradiol", "rxnorm"),  # brand name -> ingredient
        "LIBRAX": ("chlordiazepoxide\\clidinium", "rxnorm"),  # brand of two ingredients
        "PAXIL": ("paroxetine", "rxnorm"),  # RxNorm now outranks the open dictionary
        "COPAXONE": ("glatiramer", "synonym"),  # the seed still wins
        "ISOSORBIDE MONONITRATE": ("isosorbide mononitrate", "rxnorm"),
    }
    # clinical drugs (SCD -> SCDC -> IN) and branded ones (SBD -> SCD) resolve too, a combination to both
    assert rxnorm == {"isosorbide mononitrate": "IN,SCD,SCDC", "acetaminophen\\hydrocodone bitartrate": "SBD,SCD"}


def test_load_rxnorm_refuses_a_file_not_in_nlm_layout(tmp_path: Path) -> None:
    from faers.cli import app

    folder = tmp_path / "rrf"
    shutil.copytree(FIXTURES / "rxnorm" / "rrf", folder)
    lines = (folder / "RXNREL.RRF").read_text().splitlines()
    lines[3] = lines[3].rstrip("|")  # a record cut short
    (folder / "RXNREL.RRF").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["load-rxnorm", str(tmp_path), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "RXNREL.RRF:4: expected 16" in result.output.replace("\n", "")
