"""Realistic drug-name noise (``--drug-noise realistic``): how reporters and FDA write a drug in DRUG.drugname
and prod_ai, with the truth of every row (its ingredient set).

The patterns are those of real FAERS (docs/faers_format.md, tests/fixtures/real_samples):

* era: LAERS rows (2004Q1-2012Q3) have no prod_ai column and favour brand names; FAERS rows carry prod_ai
  from 2014Q3 on (FDA's own coding: the salt form, ``PAROXETINE HYDROCHLORIDE``; combinations joined with
  ``\\``), blank on a few rows. The same brand names appear in both eras, so a dictionary learned from the
  FAERS rows that carry prod_ai maps the LAERS names;
* the name itself: generic, salt form, brand, ``BRAND (GENERIC)`` or ``GENERIC (GENERIC)`` (LAERS's coding), a
  misspelling (rare, each product has a few fixed ones, as reporters repeat the same slips), combinations
  (``ACETAMINOPHEN/HYDROCODONE``, ``BACLOFEN/MORPHINE``, ``HYDROCODONE BITARTRATE AND ACETAMINOPHEN``);
* decorations: strengths and units (``10MG``, ``2000MCG/ML``), release words (XR, ER, SR, CR, XL), dosage
  forms and routes (TABLETS, INJECTION, INTRATHECAL, PUMP, PATCH, CREAM), pharmacopoeia words (USP),
  frequencies (TID, BID, QD, PRN), COMPOUNDED, manufacturer tails (``- TEVA``, ``(MYLAN)``, ``[SANDOZ]``),
  WHO-Drug-like codes (``/00288301/``), trailing punctuation, mixed or lower case;
* unknowns: UNKNOWN, UNSPECIFIED, NOT REPORTED (their truth is no ingredient).

Everything is vectorised (numpy draws, polars strings): one definition serves the default sample and the
full-size path. Rates are in :data:`RATES`; the vocabulary of each product in :class:`ProductTable`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from faers.sample import vocab

NOISE_MODES: tuple[str, ...] = ("basic", "realistic")
"""``basic``: a drugname is ALIAS [STRENGTH] [FORM] ["."] (vocab.py), every name in seeds/drug_synonyms.csv;
``realistic``: this module."""

INTRATHECAL_BACLOFEN = "baclofen (intrathecal)"
"""Name of the pseudo-product that spells intrathecal baclofen (its truth is baclofen)."""

RATES: dict[str, float] = {
    "brand_laers": 0.55,  # a brand name, when the product has one (LAERS reporters favour brands)
    "brand_faers": 0.45,
    "with_ingredient_laers": 0.10,  # LIORESAL (BACLOFEN), ZOPICLONE (ZOPICLONE): LAERS's E2B coding
    "with_ingredient_faers": 0.02,
    "salt": 0.10,  # PAROXETINE HYDROCHLORIDE as the drugname, when the product is a salt
    "misspelling": 0.008,
    "strength": 0.06,
    "strength_no_space": 0.5,  # 10MG rather than 10 MG
    "form": 0.04,
    "route": 0.015,
    "release": 0.02,  # oral products only
    "usp": 0.01,  # generic names only
    "frequency": 0.01,
    "manufacturer": 0.02,  # generic names only
    "who_code": 0.005,
    "punctuation": 0.02,
    "lower_case": 0.01,  # FAERS only: LAERS names are upper case
    "title_case": 0.02,
    "unknown": 0.006,
    "prod_ai_blank": 0.06,  # FAERS rows (2014Q3 on) without prod_ai
    "compounded": 0.08,  # intrathecal products only
}
"""Per drug row. Calibrated on the real excerpts (tests/fixtures/real_samples: 386 LAERS 2004Q1 rows, 60 FAERS
rows): strengths, forms and routes in 1-2% of names there, a name with its ingredient in parentheses in 11% of
LAERS names, a trailing dot in 3% of FAERS names; rounded up here so that every pattern is exercised."""

COMBINATION_SHARE = 0.015
"""Share of drug rows (other than the planted drugs) that the generators make a combination product."""
COMBINATION_WEIGHTS = np.array([0.35, 0.2, 0.2, 0.12, 0.1, 0.03])
"""Relative frequency of each of vocab.COMBINATIONS."""

FORMS_BY_ROUTE: dict[str, tuple[str, ...]] = {
    "oral": ("TABLET", "TABLETS", "CAPSULES", "ORAL SOLUTION", "TABLETS, FILM COATED"),
    "subcutaneous": ("INJECTION", "SOLUTION FOR INJECTION", "PREFILLED SYRINGE"),
    "intravenous": ("INJECTION", "INFUSION", "POWDER"),
    "intramuscular": ("INJECTION",),
    "transdermal": ("PATCH",),
    "respiratory (inhalation)": ("INHALER", "INHALATION POWDER"),
    "intrathecal": ("INJECTION", "PUMP"),
    "intrauterine": ("INTRAUTERINE DEVICE",),
    "topical": ("CREAM",),
}
ROUTE_WORDS: dict[str, str] = {
    "oral": "ORAL",
    "subcutaneous": "SUBCUTANEOUS",
    "intravenous": "IV",
    "intramuscular": "INTRAMUSCULAR",
    "transdermal": "TRANSDERMAL",
    "respiratory (inhalation)": "INHALATION",
    "intrathecal": "INTRATHECAL",
    "intrauterine": "",
    "topical": "TOPICAL",
}
RELEASE_WORDS: tuple[str, ...] = ("XR", "ER", "SR", "CR", "XL")
PHARMACOPOEIA_WORDS: tuple[str, ...] = ("USP", "USP", "BP", "EP")
FREQUENCIES: tuple[str, ...] = ("TID", "BID", "QD", "PRN")
MANUFACTURER_TAILS: tuple[str, ...] = (
    "- TEVA",
    "(MYLAN)",
    "[SANDOZ]",
    "(TEVA)",
    "- MYLAN",
    "(APOTEX)",
    "[ACCORD]",
    "(AUROBINDO)",
    "- SANDOZ",
    "(ZYDUS)",
    "(HOSPIRA)",
    "(ACTAVIS)",
)
PUNCTUATION: tuple[str, ...] = (".", ",", ".", ";")
UNKNOWN_NAMES: tuple[str, ...] = ("UNKNOWN", "UNKNOWN", "NOT REPORTED", "UNSPECIFIED", "UNKNOWN DRUG")

SALT_WORDS: tuple[str, ...] = (
    "HYDROCHLORIDE",
    "SODIUM",
    "MESYLATE",
    "CITRATE",
    "SULFATE",
    "MALEATE",
    "ACETATE",
    "PHOSPHATE",
    "TARTRATE",
    "FUMARATE",
    "BESYLATE",
    "POTASSIUM",
    "CALCIUM",
    "BROMIDE",
)
"""Salt words of the synthetic products' prod_ai (real salts)."""

_BRAND_ONSETS = ("B", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "X", "PR", "TR", "KL")
_BRAND_VOWELS = ("A", "E", "I", "O", "U", "Y")
_BRAND_ENDINGS = ("", "A", "ON", "EX", "IX", "AN", "OL", "EN", "ID", "IS", "OR", "YN")


@dataclass(frozen=True)
class Product:
    """What can be written for one product: generic spellings, salt form, brands, FDA's prod_ai."""

    ingredients: tuple[str, ...]
    generics: tuple[str, ...]
    salt: str
    brands: tuple[str, ...]
    prod_ai: str
    route: str
    strength: tuple[str, str]
    misspellings: tuple[str, ...]
    code: str

    @property
    def key(self) -> str:
        """The product as one drug: its ingredients, sorted, joined with ``\\`` (FDA's separator)."""
        return "\\".join(self.ingredients)


def misspell(word: str, draw: int) -> str:
    """A reporter's slip on ``word`` (deterministic in ``draw``): a letter dropped, doubled, swapped or a
    vowel changed, never the first letter."""
    letters = [i for i in range(1, len(word)) if word[i].isalpha()]
    if len(letters) < 3:
        return word + word[-1]
    i = letters[draw % len(letters)]
    op = (draw // len(letters)) % 4
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2 and i + 1 < len(word) and word[i + 1].isalpha() and word[i + 1] != word[i]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    swap = {"A": "E", "E": "A", "I": "Y", "Y": "I", "O": "A", "U": "O", "C": "K", "K": "C", "S": "Z", "Z": "S"}
    letter = word[i]
    return word[:i] + swap.get(letter, letter + letter) + word[i + 1 :]


def _misspellings(names: Sequence[str], rng: random.Random) -> tuple[str, ...]:
    out = []
    for name in names:
        wrong = misspell(name, rng.randrange(1 << 20))
        if wrong != name:
            out.append(wrong)
    return tuple(dict.fromkeys(out))


def _code(rng: random.Random) -> str:
    return f"{rng.randrange(2_000_000):08d}"


def _real_product(drug: vocab.Drug, rng: random.Random) -> Product:
    generic = drug.ingredient.upper()
    salt = drug.salt if drug.salt != generic else ""
    return Product(
        ingredients=(drug.ingredient,),
        generics=(generic,),
        salt=salt,
        brands=vocab.ORAL_BACLOFEN_BRANDS if drug.ingredient == "baclofen" else drug.brands,
        prod_ai=drug.salt,
        route=drug.route,
        strength=drug.strength,
        misspellings=_misspellings((generic, *drug.brands[:1]), rng),
        code=_code(rng),
    )


def _intrathecal_baclofen(rng: random.Random) -> Product:
    return Product(
        ingredients=("baclofen",),
        generics=("BACLOFEN", "BACLOFEN INTRATHECAL", "BACLOFEN"),
        salt="",
        brands=vocab.INTRATHECAL_BACLOFEN_BRANDS,
        prod_ai="BACLOFEN",
        route="intrathecal",
        strength=("2000", "MCG/ML"),
        misspellings=_misspellings(("BACLOFEN", "GABLOFEN"), rng),
        code=_code(rng),
    )


def _combination(combo: vocab.Combination, rng: random.Random) -> Product:
    return Product(
        ingredients=combo.ingredients,
        generics=combo.generics,
        salt="",
        brands=combo.brands,
        prod_ai=combo.prod_ai,
        route=combo.route,
        strength=combo.strength,
        misspellings=_misspellings(combo.brands[:1], rng),
        code=_code(rng),
    )


def _synthetic_product(name: str, brand: str, salt: str, rng: random.Random) -> Product:
    generic = name.upper()
    salt_form = f"{generic} {salt}" if salt else ""
    return Product(
        ingredients=(name,),
        generics=(generic,),
        salt=salt_form,
        brands=(brand,) if brand else (),
        prod_ai=salt_form or generic,
        route="oral",
        strength=("10", "MG"),
        misspellings=_misspellings((generic, brand) if brand else (generic,), rng),
        code=_code(rng),
    )


def _brand_pool(n: int, taken: set[str]) -> list[str]:
    """``n`` invented, pronounceable brand names (fixed seed), none equal to a name in ``taken``."""
    rng = random.Random(20240103)
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        parts = [rng.randrange(1 << 30) for _ in range(5)]
        name = (
            _BRAND_ONSETS[parts[0] % len(_BRAND_ONSETS)]
            + _BRAND_VOWELS[parts[1] % len(_BRAND_VOWELS)]
            + _BRAND_ONSETS[parts[2] % len(_BRAND_ONSETS)]
            + _BRAND_VOWELS[parts[3] % (len(_BRAND_VOWELS) - 1)]
            + _BRAND_ONSETS[(parts[4] >> 8) % len(_BRAND_ONSETS)]
            + _BRAND_ENDINGS[parts[4] % len(_BRAND_ENDINGS)]
        )
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


class ProductTable:
    """The products of a sample, by index: ``names`` (ingredients of the generator's vocabulary, the real
    ones of vocab.DRUGS first), then intrathecal baclofen, then vocab.COMBINATIONS. A synthetic ingredient
    gets an invented brand (half of them) and a salt (a third); all from fixed seeds, so the table never
    depends on the sample's seed."""

    def __init__(self, names: Sequence[str]) -> None:
        rng = random.Random(20240104)
        real = vocab.DRUG_BY_INGREDIENT
        synthetic = [name for name in names if name not in real]
        taken = {name.upper() for name in names} | {b for d in vocab.DRUGS for b in d.brands}
        brands = iter(_brand_pool(len(synthetic), taken))
        products: list[Product] = []
        for name in names:
            if name in real:
                products.append(_real_product(real[name], rng))
                continue
            brand = next(brands)
            has_brand, salt_draw = rng.random() < 0.5, rng.random()
            salt = SALT_WORDS[int(salt_draw * 100) % len(SALT_WORDS)] if salt_draw < 0.35 else ""
            products.append(_synthetic_product(name, brand if has_brand else "", salt, rng))
        self.intrathecal_baclofen = len(products)
        products.append(_intrathecal_baclofen(rng))
        self.first_combination = len(products)
        products.extend(_combination(c, rng) for c in vocab.COMBINATIONS)
        self.products = products
        self.keys = [p.key for p in products]
        self._build_arrays()

    def index(self, key: str) -> int:
        """Index of the first product whose key is ``key``."""
        return self.keys.index(key)

    @property
    def combinations(self) -> range:
        """Indices of the combination products."""
        return range(self.first_combination, len(self.products))

    def _build_arrays(self) -> None:
        kinds: dict[str, list[list[str]]] = {
            "generic": [list(p.generics) for p in self.products],
            "salt": [[p.salt] if p.salt else [] for p in self.products],
            "brand": [list(p.brands) for p in self.products],
            "with_ingredient": [
                [f"{b} ({p.generics[0]})" for b in p.brands] or [f"{p.generics[0]} ({p.generics[0]})"]
                for p in self.products
            ],
            "misspelling": [list(p.misspellings) for p in self.products],
        }
        flat: list[str] = []
        self.alias_start: dict[str, np.ndarray] = {}
        self.alias_count: dict[str, np.ndarray] = {}
        for kind, lists in kinds.items():
            starts, counts = [], []
            for names in lists:
                starts.append(len(flat))
                counts.append(len(names))
                flat.extend(names)
            self.alias_start[kind] = np.array(starts, dtype=np.int64)
            self.alias_count[kind] = np.array(counts, dtype=np.int64)
        self.aliases = pl.Series(flat, dtype=pl.Utf8)
        routes = sorted(FORMS_BY_ROUTE)
        self.route_index = np.array([routes.index(p.route) for p in self.products], dtype=np.int64)
        form_flat: list[str] = []
        form_start, form_count = [], []
        for route in routes:
            form_start.append(len(form_flat))
            form_count.append(len(FORMS_BY_ROUTE[route]))
            form_flat.extend(FORMS_BY_ROUTE[route])
        self.forms = pl.Series(form_flat, dtype=pl.Utf8)
        self.form_start = np.array(form_start, dtype=np.int64)[self.route_index]
        self.form_count = np.array(form_count, dtype=np.int64)[self.route_index]
        self.route_words = pl.Series([ROUTE_WORDS[p.route] or None for p in self.products], dtype=pl.Utf8)
        self.oral = np.array([p.route == "oral" for p in self.products])
        self.intrathecal = np.array([p.route == "intrathecal" for p in self.products])
        self.amounts = pl.Series([p.strength[0] for p in self.products], dtype=pl.Utf8)
        self.units = pl.Series([p.strength[1] for p in self.products], dtype=pl.Utf8)
        self.prod_ai = pl.Series([p.prod_ai for p in self.products], dtype=pl.Utf8)
        self.codes = pl.Series([p.code for p in self.products], dtype=pl.Utf8)
        self.key_series = pl.Series(self.keys, dtype=pl.Utf8)


@dataclass
class NoisyNames:
    """Per drug row: the drugname and prod_ai as written, and whether the name is an unknown."""

    drugname: pl.Series
    prod_ai: pl.Series
    unknown: np.ndarray


def _choose(rng: np.random.Generator, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    return start + np.floor(rng.random(len(start)) * np.maximum(count, 1)).astype(np.int64)


def noisy_names(table: ProductTable, product: np.ndarray, laers: np.ndarray, rng: np.random.Generator) -> NoisyNames:
    """Drugname and prod_ai of each drug row of ``product`` (indices into ``table``), ``laers`` per row."""
    n = len(product)
    rates = RATES
    count = table.alias_count
    has_brand = count["brand"][product] > 0
    has_salt = count["salt"][product] > 0
    u = rng.random(n)
    p_brand = np.where(has_brand, np.where(laers, rates["brand_laers"], rates["brand_faers"]), 0.0)
    p_with_ingredient = np.where(laers, rates["with_ingredient_laers"], rates["with_ingredient_faers"])
    p_salt = np.where(has_salt, rates["salt"], 0.0)
    p_miss = np.where(count["misspelling"][product] > 0, rates["misspelling"], 0.0)
    kind = np.zeros(n, dtype=np.int64)  # generic
    edge = p_miss + p_with_ingredient + p_brand + p_salt
    for code, p_kind in ((2, p_salt), (1, p_brand), (3, p_with_ingredient), (4, p_miss)):
        kind[u < edge] = code
        edge = edge - p_kind
    kinds = ("generic", "brand", "salt", "with_ingredient", "misspelling")
    alias_idx = np.zeros(n, dtype=np.int64)
    for code, name in enumerate(kinds):
        rows = kind == code
        alias_idx[rows] = _choose(rng, table.alias_start[name][product[rows]], count[name][product[rows]])
    alias = table.aliases.gather(alias_idx)
    generic_like = (kind == 0) | (kind == 2)

    def coin(name: str) -> np.ndarray:
        return rng.random(n) < rates[name]

    intrathecal = table.intrathecal[product]
    masks = {
        "release": coin("release") & table.oral[product] & ~intrathecal,
        "strength": coin("strength") | (intrathecal & (rng.random(n) < 0.3)),
        "form": coin("form"),
        "route": coin("route") | (intrathecal & (rng.random(n) < 0.25)),
        "compounded": intrathecal & coin("compounded"),
        "usp": coin("usp") & generic_like,
        "frequency": coin("frequency") & ~intrathecal,
        "manufacturer": coin("manufacturer") & generic_like,
        "who_code": coin("who_code"),
        "punctuation": coin("punctuation"),
    }
    no_space = rng.random(n) < rates["strength_no_space"]
    form_idx = _choose(rng, table.form_start[product], table.form_count[product])
    word_idx = rng.integers(0, 1 << 20, n)
    case = rng.random(n)
    unknown = rng.random(n) < rates["unknown"]
    # Only the decorated rows (about half) are assembled word by word.
    rows = np.flatnonzero(np.logical_or.reduce(list(masks.values())))
    p = product[rows]
    m = {name: mask[rows] for name, mask in masks.items()}
    w = word_idx[rows]

    def words(options: Sequence[str], shift: int) -> pl.Series:
        return pl.Series(list(options), dtype=pl.Utf8).gather((w >> shift) % len(options))

    # one frame, one select: each part where its mask holds, joined with blanks
    parts = {
        "alias": alias.gather(rows),
        "release": words(RELEASE_WORDS, 0),
        "strength": table.amounts.gather(p)
        + pl.Series(["", " "], dtype=pl.Utf8).gather((~no_space[rows]).astype(np.int64))
        + table.units.gather(p),
        "form": table.forms.gather(form_idx[rows]),
        "route": table.route_words.gather(p),
        "compounded": words(("COMPOUNDED",), 0),
        "usp": words(PHARMACOPOEIA_WORDS, 3),
        "frequency": words(FREQUENCIES, 6),
        "manufacturer": words(MANUFACTURER_TAILS, 9),
        "who_code": "/" + table.codes.gather(p) + "/",
    }
    frame = pl.DataFrame(
        {**{f"v_{k}": v for k, v in parts.items()}, **{f"m_{k}": v for k, v in m.items()}},
    ).with_columns(punct=words(PUNCTUATION, 14))
    decorated = frame.select(
        pl.concat_str(
            [pl.col("v_alias")] + [pl.when(pl.col(f"m_{k}")).then(pl.col(f"v_{k}")) for k in parts if k != "alias"],
            separator=" ",
            ignore_nulls=True,
        )
        + pl.when(pl.col("m_punctuation")).then(pl.col("punct")).otherwise(pl.lit(""))
    ).to_series()
    name = alias.scatter(rows, decorated)
    # LAERS wrote names in upper case only
    lower = np.flatnonzero(~laers & (case < rates["lower_case"]))
    title = np.flatnonzero(~laers & (case >= rates["lower_case"]) & (case < rates["lower_case"] + rates["title_case"]))
    name = name.scatter(lower, name.gather(lower).str.to_lowercase())
    name = name.scatter(title, name.gather(title).str.to_titlecase())
    unknown_rows = np.flatnonzero(unknown)
    unknown_names = pl.Series(list(UNKNOWN_NAMES), dtype=pl.Utf8)
    name = name.scatter(unknown_rows, unknown_names.gather(word_idx[unknown_rows] % len(UNKNOWN_NAMES)))
    blank_ai = np.flatnonzero(unknown | (rng.random(n) < rates["prod_ai_blank"]))
    prod_ai = table.prod_ai.gather(product).scatter(blank_ai, "")
    return NoisyNames(drugname=name, prod_ai=prod_ai, unknown=unknown)
