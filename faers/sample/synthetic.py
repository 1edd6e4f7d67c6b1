"""Systematic names that extend the real vocabulary to full-size scale (~5,000 drugs, ~15,000 PTs):
INN-like ingredient names (prefix + vowel + a real INN stem such as -mab, -tinib, -pril) and MedDRA-like PT
names ("Qualifier site condition"). The order is fixed (own seeds), so the vocabulary never depends on the
sample's seed."""

from __future__ import annotations

import numpy as np

from faers.sample import vocab

N_DRUGS = 5_000
N_PTS = 15_000

# fmt: off
_DRUG_PREFIXES = (
    "ab", "ac", "ad", "al", "am", "an", "ar", "as", "at", "av", "az", "bel", "ben", "bri", "cab", "cal",
    "car", "cel", "cer", "cil", "cla", "cor", "dal", "dar", "del", "des", "dex", "dol", "dor", "dur", "ef",
    "el", "em", "en", "ep", "er", "es", "et", "ev", "ex", "fal", "fem", "fid", "fil", "gal", "gem", "gla",
    "ib", "id", "il", "im", "in", "ir", "is", "lam", "lan", "lar", "lev", "lin", "lor",
)
_DRUG_MIDDLES = (
    "a", "e", "i", "o", "u", "ali", "eto", "ira", "ono", "ura",
)
_DRUG_STEMS = (
    "mab", "tinib", "pril", "sartan", "olol", "statin", "azole", "cillin", "floxacin", "vir", "parin",
    "dronate", "semide", "tidine", "prazole", "setron", "triptan", "lukast", "gliptin", "gliflozin",
    "dipine", "zepam", "oxetine", "afil", "lutamide", "platin", "rubicin", "tecan", "taxel", "mustine",
)
_PT_SITES = (
    "Hepatic", "Renal", "Cardiac", "Pulmonary", "Gastric", "Cerebral", "Ocular", "Skin", "Muscle",
    "Spinal", "Bone", "Joint", "Bladder", "Thyroid", "Adrenal", "Pancreatic", "Splenic", "Intestinal",
    "Oesophageal", "Biliary", "Uterine", "Ovarian", "Testicular", "Prostatic", "Breast", "Lymph node",
    "Vascular", "Venous", "Arterial", "Nerve", "Ear", "Nasal", "Oral", "Dental", "Gingival", "Lip",
    "Tongue", "Laryngeal", "Tracheal", "Pleural",
)
_PT_CONDITIONS = (
    "pain", "disorder", "oedema", "haemorrhage", "infection", "neoplasm", "injury", "inflammation", "cyst",
    "fibrosis", "necrosis", "ischaemia", "atrophy", "hypertrophy", "abscess", "ulcer", "stenosis",
    "calcification", "discomfort", "swelling", "mass", "lesion", "dysfunction", "failure", "rupture",
    "perforation", "obstruction", "anomaly", "haematoma", "infarction", "thrombosis", "embolism", "polyp",
    "erosion", "irritation", "spasm", "nodule", "effusion", "disorder NEC", "function test abnormal",
)
_PT_QUALIFIERS = (
    "", "Acute ", "Chronic ", "Congenital ", "Recurrent ", "Benign ", "Malignant ", "Traumatic ",
    "Post procedural ", "Drug-induced ",
)
# fmt: on


def drug_vocabulary(n: int = N_DRUGS) -> list[str]:
    """n ingredient names: the real ones of ``vocab`` first, then INN-like names (prefix+middle+stem)."""
    names = [d.ingredient for d in vocab.DRUGS]
    seen = set(names)
    for stem in _DRUG_STEMS:
        for middle in _DRUG_MIDDLES:
            for prefix in _DRUG_PREFIXES:
                name = f"{prefix}{middle}{stem}"
                if name not in seen:
                    names.append(name)
                    seen.add(name)
    if len(names) < n:
        raise ValueError(f"the drug vocabulary has {len(names)} names, fewer than {n}")
    head, tail = names[: len(vocab.DRUGS)], names[len(vocab.DRUGS) :]
    order = np.random.default_rng(20240101).permutation(len(tail))
    return head + [tail[i] for i in order][: n - len(head)]


def pt_vocabulary(n: int = N_PTS) -> list[str]:
    """n PT names: the real ones of ``vocab`` first, then MedDRA-like 'Qualifier site condition' names."""
    names = list(vocab.ALL_PTS)
    seen = {p.lower() for p in names}
    for qualifier in _PT_QUALIFIERS:
        for site in _PT_SITES:
            for condition in _PT_CONDITIONS:
                name = f"{qualifier}{site.lower() if qualifier else site} {condition}"
                if name.lower() not in seen:
                    names.append(name)
                    seen.add(name.lower())
    if len(names) < n:
        raise ValueError(f"the PT vocabulary has {len(names)} names, fewer than {n}")
    head, tail = names[: len(vocab.ALL_PTS)], names[len(vocab.ALL_PTS) :]
    order = np.random.default_rng(20240102).permutation(len(tail))
    return head + [tail[i] for i in order][: n - len(head)]
