"""faers.drug_dictionary.find_drugs reads the package's dictionary without its import-time fuzzy index: its
exact matches must be the package's own find_drugs's, record for record."""

from __future__ import annotations

from typing import Any

from faers.drug_dictionary import _dictionary, find_drugs, resolve_names


def _comparable(matches: list[tuple[dict[str, Any], int, int]]) -> list[tuple[Any, ...]]:
    return [(record.get("name"), sorted(record.get("synonyms", ())), start, end) for record, start, end in matches]


def test_exact_matches_are_the_packages() -> None:
    from drug_named_entity_recognition import find_drugs as package_find_drugs

    variants = sorted(_dictionary().variant_to_records)
    sample = variants[::97]  # ~1,100 variants of every shape: one word, several, brand and generic
    texts = [
        *sample,
        *(f"{a} {b}" for a, b in zip(sample[::2], sample[1::2], strict=False)),  # pairs and overlaps
        "HUMATROPE 5 MG",
        "aspirin and caffeine tablets",
        "fluticasone salmeterol",
        "Unknown drug",
        "not a drug at all",
    ]
    for text in texts:
        tokens = text.split()
        assert _comparable(find_drugs(tokens)) == _comparable(package_find_drugs(tokens, is_ignore_case=True)), text
    assert sum(1 for text in texts if find_drugs(text.split())) > 1000


def test_resolve_names_keeps_only_recognised_keys() -> None:
    matches = resolve_names(["aspirin", "no such drug xyz", None, "  "], ["aspirin"])
    assert [(m.name_key, m.ingredient_text) for m in matches] == [("aspirin", "aspirin")]
