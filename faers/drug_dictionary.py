"""The open drug dictionary: the last resolver of drug names nothing else maps (mapping_source 'dictionary').

It reads the dictionary of ``drug-named-entity-recognition`` (MIT; an offline dictionary of generic and brand
names shipped inside the package, no network) and matches names exactly as the package's ``find_drugs`` does
(:func:`find_drugs`; tests/python/test_drug_dictionary.py compares the two), without importing the package,
whose import also builds a fuzzy-matching index this project does not use (most of its 2-5 s import).
The dbt Python model ``int_drug_names_dictionary`` calls
:func:`resolve_names` on the distinct cleaned name keys; SQL then cleans the returned names like any
drug name, maps them through the synonym seed and the active moiety, and keeps only dictionary answers
that agree with prod_ai wherever both are known (``int_drug_names_dictionary``'s docs).

Spelling: the dictionary names a record after MeSH, MedlinePlus or Wikipedia ('Human Growth Hormone',
'Fentanyl Patch', 'Aspirin/paracetamol/caffeine'). Among the record's name and synonyms, the first whose
every ingredient is in ``vocabulary`` (the ingredients this warehouse already knows: prod_ai and the
synonym seed) wins, so 'HUMATROPE' becomes 'somatropin' where prod_ai spells it so; otherwise the record's
name is returned and the SQL cleaning strips its dosage-form words ('Fentanyl Patch' -> 'fentanyl').
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_SEPARATORS = re.compile(r"\s*(?:/|\\|\+|&|\band\b|\bwith\b)\s*")
"""How the dictionary joins the ingredients of a combination ('Fluticasone and Salmeterol')."""


@dataclass(frozen=True)
class DictionaryMatch:
    """One name key the dictionary recognised: its records' names and the ingredient text chosen."""

    name_key: str
    dictionary_names: str
    ingredient_text: str


@dataclass(frozen=True)
class _Dictionary:
    """The package's dictionary: variant (lower case) -> record keys, record key -> record, variant -> extras."""

    variant_to_records: dict[str, list[str]]
    records: dict[str, dict[str, Any]]
    variant_data: dict[str, dict[str, Any]]


@cache
def _dictionary() -> _Dictionary:
    """The package's dictionary file, read and completed as ``drug_named_entity_recognition`` does on import
    (each record's synonyms are the variants naming it), without the trigram index it also builds there for
    fuzzy matching: exact matching needs none, and the index is most of the package's 2-5 s import."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("drug_named_entity_recognition")
    with bz2.open(Path(spec.submodule_search_locations[0]) / "drug_ner_dictionary.pkl.bz2", "rb") as file:
        data = pickle.load(file)  # the package's own data file, as the package loads it
    variant_to_records = data["drug_variant_to_canonical"]
    records = data["drug_canonical_to_data"]
    for variant, keys in variant_to_records.items():
        for key in keys:
            if key in records:
                records[key].setdefault("synonyms", []).append(variant)
    return _Dictionary(variant_to_records, records, data["drug_variant_to_variant_data"])


def find_drugs(tokens: list[str]) -> list[tuple[dict[str, Any], int, int]]:
    """The package's ``find_drugs(tokens)`` without fuzzy matching: (record, first token, end token) for each
    dictionary variant among the token pairs, then among the single tokens no pair match covers."""
    dictionary = _dictionary()
    matches: list[tuple[dict[str, Any], int, int]] = []
    covered: set[int] = set()

    def add(text: str, start: int, end: int) -> bool:
        variant = text.lower()
        keys = dictionary.variant_to_records.get(variant)
        for key in keys or ():
            record = dict(dictionary.records.get(key, {})) | dictionary.variant_data.get(variant, {})
            matches.append((record, start, end))
        return bool(keys)

    for index in range(len(tokens) - 1):
        if add(f"{tokens[index]} {tokens[index + 1]}", index, index + 2):
            covered.update((index, index + 1))
    for index, token in enumerate(tokens):
        if index not in covered and add(token, index, index + 1):
            covered.add(index)
    return matches


def ingredient_parts(text: str) -> tuple[str, ...]:
    """A dictionary name split into lower-case ingredient names ('Aspirin/paracetamol/caffeine' -> 3)."""
    return tuple(part for part in (p.strip() for p in _SEPARATORS.split(text.lower())) if part)


def choose_spelling(record: dict[str, Any], vocabulary: frozenset[str]) -> str:
    """The record's ingredient text ('\\'-joined): its name, or a synonym whose ingredients are all known."""
    name = str(record["name"])
    candidates = [name, *sorted(str(s) for s in record.get("synonyms", ()))]
    for candidate in candidates:
        parts = ingredient_parts(candidate)
        if parts and all(part in vocabulary for part in parts):
            return "\\".join(parts)
    return "\\".join(ingredient_parts(name))


def resolve_key(name_key: str, vocabulary: frozenset[str]) -> DictionaryMatch | None:
    """The dictionary's reading of one cleaned name key; each '\\'-separated part must be recognised."""
    names: list[str] = []
    texts: list[str] = []
    for part in (p for p in name_key.split("\\") if p.strip()):
        matches = find_drugs(part.split())
        if not matches:
            return None
        for record, _start, _end in matches:
            names.append(str(record["name"]))
            texts.append(choose_spelling(record, vocabulary))
    if not texts:
        return None
    return DictionaryMatch(name_key, "; ".join(dict.fromkeys(names)), "\\".join(dict.fromkeys(texts)))


def resolve_names(keys: Iterable[str | None], vocabulary: Iterable[str | None]) -> list[DictionaryMatch]:
    """Every distinct non-empty key the dictionary recognises (keys it does not know are left out)."""
    known = frozenset(v.strip().lower() for v in vocabulary if v and v.strip())
    results = []
    for key in sorted({k for k in keys if k and k.strip()}):
        match = resolve_key(key, known)
        if match is not None:
            results.append(match)
    return results
