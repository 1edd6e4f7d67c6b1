"""The warehouse lookup seeds: drug synonyms cover the generator vocabulary; both files are well formed."""

from __future__ import annotations

import csv

from loaders.paths import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    """Rows of seeds/<name>.csv; a malformed row fails with the file and line."""
    path = SEEDS / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for row in reader:
            assert None not in row and all(value is not None for value in row.values()), (
                f"{path}:{reader.line_num}: wrong number of fields"
            )
            rows.append(row)
    return rows


def test_drug_synonyms_cover_every_generator_name() -> None:
    from faers.sample.vocab import synonym_rows

    seed = {row["name"].upper(): row["ingredient"] for row in read_seed("drug_synonyms")}
    missing = {name: ingredient for name, ingredient in synonym_rows() if seed.get(name.upper()) != ingredient}
    assert not missing, f"add to seeds/drug_synonyms.csv: {missing}"


def test_drug_synonyms_are_well_formed() -> None:
    rows = read_seed("drug_synonyms")
    names = [row["name"].strip().upper() for row in rows]
    assert len(names) == len(set(names)), "duplicate names"
    for row in rows:
        ingredient = row["ingredient"]
        assert ingredient == ingredient.lower().strip() and ingredient, row
        assert all(part == part.strip() and part for part in ingredient.split("\\")), row
    real_world = {"LIORESAL", "GABLOFEN", "OZOBAX", "LYVISPAH"}
    assert {row["name"] for row in rows if row["ingredient"] == "baclofen"} >= real_world


def test_country_codes_are_iso_alpha2() -> None:
    rows = read_seed("country_codes")
    assert len({row["name"] for row in rows}) == len(rows)
    assert all(len(row["iso2"]) == 2 and row["iso2"].isalpha() and row["iso2"].isupper() for row in rows)
    by_name = {row["name"]: row["iso2"] for row in rows}
    assert (by_name["UNITED STATES"], by_name["UNITED KINGDOM"], by_name["JAPAN"]) == ("US", "GB", "JP")
