"""The open drug dictionary: the last resolver of drug names nothing else maps (mapping_source 'dictionary').

It wraps ``drug-named-entity-recognition`` (MIT; an offline dictionary of generic and brand names shipped
inside the package, no network). The dbt Python model ``int_drug_names_dictionary`` calls
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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

_SEPARATORS = re.compile(r"\s*(?:/|\\|\+|&|\band\b|\bwith\b)\s*")
"""How the dictionary joins the ingredients of a combination ('Fluticasone and Salmeterol')."""


@dataclass(frozen=True)
class DictionaryMatch:
    """One name key the dictionary recognised: its records' names and the ingredient text chosen."""

    name_key: str
    dictionary_names: str
    ingredient_text: str


@cache
def _finder() -> Any:
    """The package's find_drugs (imported once: it unpickles its dictionary on first use)."""
    from drug_named_entity_recognition import find_drugs

    return find_drugs


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
    find_drugs = _finder()
    names: list[str] = []
    texts: list[str] = []
    for part in (p for p in name_key.split("\\") if p.strip()):
        matches = find_drugs(part.split(), is_ignore_case=True)
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
