"""The generator's domain vocabulary: drugs (ingredients, brands, salts), MedDRA PTs, indications, codes.

Everything here is real-world vocabulary (generic ingredient names, their brand names, MedDRA preferred
terms, ISO country codes and FDA's code lists from docs/faers_format.md §8). The drug table is also the
generator's brand -> ingredient mapping: :func:`synonym_rows` lists it (seeds/drug_synonyms.csv must cover it,
tests/python/test_warehouse_seeds.py), :class:`drugnames.ProductTable` spells it with realistic noise.

With the basic drug noise (the default sample's default), DRUG.drugname follows one grammar (so a normaliser
can strip the decorations)::

    drugname = ALIAS [" " STRENGTH] [" " FORM] ["."]
    STRENGTH = r"\\d+(\\.\\d+)? ?(MG|MCG|G|ML|MG/ML|MCG/ML|IU|MEQ|%)"
    FORM     = one of DOSE_FORM_WORDS

ALIAS is a brand or generic name of :data:`DRUGS` (any letter case); ``prod_ai`` (2014Q3 on) holds the
ingredient, or its salt form, upper case, or is blank. The realistic drug noise is drugnames.py.
"""

# ruff: noqa: E501  (data tables: one drug per line)
from __future__ import annotations

from dataclasses import dataclass

DOSE_FORM_WORDS: tuple[str, ...] = (
    "TABLET",
    "TABLETS",
    "CAPSULE",
    "INJECTION",
    "ORAL SOLUTION",
    "SOLUTION",
    "CREAM",
    "PATCH",
)
"""Dose-form words that may follow the strength in a drugname."""


@dataclass(frozen=True)
class Drug:
    """One active ingredient with its brand names, salt form, usual route, strength and indications."""

    ingredient: str
    brands: tuple[str, ...]
    salt: str
    route: str
    strength: tuple[str, str]
    indications: tuple[str, ...]


def _drug(spec: str) -> Drug:
    ingredient, brands, salt, route, strength, indications = (part.strip() for part in spec.split("|"))
    amount, unit = strength.split()
    return Drug(
        ingredient=ingredient,
        brands=tuple(b.strip() for b in brands.split(";") if b.strip()),
        salt=salt or ingredient.upper(),
        route=route,
        strength=(amount, unit),
        indications=tuple(i.strip() for i in indications.split(";")),
    )


# ingredient | brands | prod_ai salt form (blank = ingredient) | route | strength | indications
_DRUG_SPECS = """
baclofen|LIORESAL;GABLOFEN;LIORESAL INTRATHECAL;BACLOFEN INTRATHECAL;OZOBAX;LYVISPAH;FLEQSUVY||oral|10 MG|Muscle spasticity;Multiple sclerosis;Spinal cord injury;Cerebral palsy
warfarin|COUMADIN;JANTOVEN|WARFARIN SODIUM|oral|5 MG|Atrial fibrillation;Deep vein thrombosis;Pulmonary embolism
metformin|GLUCOPHAGE;GLUMETZA;FORTAMET|METFORMIN HYDROCHLORIDE|oral|500 MG|Type 2 diabetes mellitus
clozapine|CLOZARIL;FAZACLO;VERSACLOZ||oral|100 MG|Schizophrenia
atorvastatin|LIPITOR|ATORVASTATIN CALCIUM|oral|20 MG|Hypercholesterolaemia;Cardiovascular event prophylaxis
adalimumab|HUMIRA||subcutaneous|40 MG|Rheumatoid arthritis;Crohn's disease;Psoriasis
etanercept|ENBREL||subcutaneous|50 MG|Rheumatoid arthritis;Psoriatic arthropathy
infliximab|REMICADE;INFLECTRA||intravenous|100 MG|Crohn's disease;Colitis ulcerative
lenalidomide|REVLIMID||oral|10 MG|Plasma cell myeloma
pregabalin|LYRICA||oral|75 MG|Neuropathy peripheral;Fibromyalgia
gabapentin|NEURONTIN;GRALISE||oral|300 MG|Neuralgia;Epilepsy
levothyroxine|SYNTHROID;LEVOXYL|LEVOTHYROXINE SODIUM|oral|50 MCG|Hypothyroidism
lisinopril|ZESTRIL;PRINIVIL||oral|10 MG|Hypertension
amlodipine|NORVASC|AMLODIPINE BESYLATE|oral|5 MG|Hypertension
omeprazole|PRILOSEC||oral|20 MG|Gastrooesophageal reflux disease
pantoprazole|PROTONIX|PANTOPRAZOLE SODIUM|oral|40 MG|Gastrooesophageal reflux disease
simvastatin|ZOCOR||oral|40 MG|Hypercholesterolaemia
rosuvastatin|CRESTOR|ROSUVASTATIN CALCIUM|oral|10 MG|Hypercholesterolaemia
aspirin|BAYER ASPIRIN;ECOTRIN||oral|81 MG|Cardiovascular event prophylaxis
acetaminophen|TYLENOL||oral|500 MG|Pain;Pyrexia
ibuprofen|ADVIL;MOTRIN||oral|200 MG|Pain;Arthralgia
naproxen|ALEVE;NAPROSYN|NAPROXEN SODIUM|oral|220 MG|Pain
prednisone|DELTASONE||oral|10 MG|Asthma;Rheumatoid arthritis
methotrexate|TREXALL;OTREXUP||oral|2.5 MG|Rheumatoid arthritis;Psoriasis
furosemide|LASIX||oral|40 MG|Oedema;Cardiac failure
hydrochlorothiazide|MICROZIDE||oral|25 MG|Hypertension
metoprolol|LOPRESSOR;TOPROL-XL|METOPROLOL TARTRATE|oral|50 MG|Hypertension;Atrial fibrillation
losartan|COZAAR|LOSARTAN POTASSIUM|oral|50 MG|Hypertension
insulin glargine|LANTUS;TOUJEO;BASAGLAR||subcutaneous|100 IU|Type 2 diabetes mellitus;Type 1 diabetes mellitus
sitagliptin|JANUVIA|SITAGLIPTIN PHOSPHATE|oral|100 MG|Type 2 diabetes mellitus
liraglutide|VICTOZA;SAXENDA||subcutaneous|1.8 MG|Type 2 diabetes mellitus;Obesity
semaglutide|OZEMPIC;WEGOVY;RYBELSUS||subcutaneous|1 MG|Type 2 diabetes mellitus;Obesity
dulaglutide|TRULICITY||subcutaneous|1.5 MG|Type 2 diabetes mellitus
empagliflozin|JARDIANCE||oral|10 MG|Type 2 diabetes mellitus
apixaban|ELIQUIS||oral|5 MG|Atrial fibrillation
rivaroxaban|XARELTO||oral|20 MG|Atrial fibrillation;Deep vein thrombosis
dabigatran|PRADAXA|DABIGATRAN ETEXILATE MESYLATE|oral|150 MG|Atrial fibrillation
clopidogrel|PLAVIX|CLOPIDOGREL BISULFATE|oral|75 MG|Acute coronary syndrome
sertraline|ZOLOFT|SERTRALINE HYDROCHLORIDE|oral|50 MG|Depression;Anxiety
escitalopram|LEXAPRO|ESCITALOPRAM OXALATE|oral|10 MG|Depression;Anxiety
fluoxetine|PROZAC|FLUOXETINE HYDROCHLORIDE|oral|20 MG|Depression
duloxetine|CYMBALTA|DULOXETINE HYDROCHLORIDE|oral|60 MG|Depression;Fibromyalgia
venlafaxine|EFFEXOR|VENLAFAXINE HYDROCHLORIDE|oral|75 MG|Depression
bupropion|WELLBUTRIN;ZYBAN|BUPROPION HYDROCHLORIDE|oral|150 MG|Depression;Smoking cessation therapy
quetiapine|SEROQUEL|QUETIAPINE FUMARATE|oral|100 MG|Schizophrenia;Bipolar disorder
olanzapine|ZYPREXA||oral|10 MG|Schizophrenia;Bipolar disorder
aripiprazole|ABILIFY||oral|10 MG|Schizophrenia;Depression
risperidone|RISPERDAL||oral|2 MG|Schizophrenia
lamotrigine|LAMICTAL||oral|100 MG|Epilepsy;Bipolar disorder
levetiracetam|KEPPRA||oral|500 MG|Epilepsy
topiramate|TOPAMAX||oral|50 MG|Epilepsy;Migraine
valproic acid|DEPAKOTE;DEPAKENE|VALPROATE SODIUM|oral|500 MG|Epilepsy;Bipolar disorder
carbamazepine|TEGRETOL||oral|200 MG|Epilepsy;Trigeminal neuralgia
tizanidine|ZANAFLEX|TIZANIDINE HYDROCHLORIDE|oral|4 MG|Muscle spasticity
cyclobenzaprine|FLEXERIL|CYCLOBENZAPRINE HYDROCHLORIDE|oral|10 MG|Muscle spasms
dantrolene|DANTRIUM|DANTROLENE SODIUM|oral|25 MG|Muscle spasticity
oxycodone|OXYCONTIN;ROXICODONE|OXYCODONE HYDROCHLORIDE|oral|10 MG|Pain
morphine|MS CONTIN;KADIAN|MORPHINE SULFATE|oral|30 MG|Pain
hydromorphone|DILAUDID|HYDROMORPHONE HYDROCHLORIDE|oral|2 MG|Pain
fentanyl|DURAGESIC||transdermal|25 MCG|Pain
tramadol|ULTRAM|TRAMADOL HYDROCHLORIDE|oral|50 MG|Pain
zolpidem|AMBIEN|ZOLPIDEM TARTRATE|oral|10 MG|Insomnia
alprazolam|XANAX||oral|0.5 MG|Anxiety
lorazepam|ATIVAN||oral|1 MG|Anxiety
clonazepam|KLONOPIN||oral|0.5 MG|Anxiety;Epilepsy
diazepam|VALIUM||oral|5 MG|Anxiety;Muscle spasms
donepezil|ARICEPT|DONEPEZIL HYDROCHLORIDE|oral|10 MG|Dementia Alzheimer's type
memantine|NAMENDA|MEMANTINE HYDROCHLORIDE|oral|10 MG|Dementia Alzheimer's type
levodopa|SINEMET||oral|100 MG|Parkinson's disease
ropinirole|REQUIP|ROPINIROLE HYDROCHLORIDE|oral|1 MG|Parkinson's disease;Restless legs syndrome
interferon beta-1a|AVONEX;REBIF||intramuscular|30 MCG|Multiple sclerosis
glatiramer|COPAXONE|GLATIRAMER ACETATE|subcutaneous|20 MG|Multiple sclerosis
dimethyl fumarate|TECFIDERA||oral|240 MG|Multiple sclerosis
fingolimod|GILENYA|FINGOLIMOD HYDROCHLORIDE|oral|0.5 MG|Multiple sclerosis
natalizumab|TYSABRI||intravenous|300 MG|Multiple sclerosis;Crohn's disease
ocrelizumab|OCREVUS||intravenous|300 MG|Multiple sclerosis
onabotulinumtoxina|BOTOX||intramuscular|100 IU|Muscle spasticity;Migraine
rituximab|RITUXAN;TRUXIMA||intravenous|375 MG|Non-Hodgkin's lymphoma;Rheumatoid arthritis
trastuzumab|HERCEPTIN||intravenous|440 MG|Breast cancer
bevacizumab|AVASTIN||intravenous|400 MG|Colorectal cancer
pembrolizumab|KEYTRUDA||intravenous|200 MG|Non-small cell lung cancer;Malignant melanoma
nivolumab|OPDIVO||intravenous|240 MG|Non-small cell lung cancer;Malignant melanoma
ibrutinib|IMBRUVICA||oral|420 MG|Chronic lymphocytic leukaemia
imatinib|GLEEVEC|IMATINIB MESYLATE|oral|400 MG|Chronic myeloid leukaemia
capecitabine|XELODA||oral|500 MG|Breast cancer;Colorectal cancer
paclitaxel|TAXOL||intravenous|175 MG|Breast cancer;Ovarian cancer
cisplatin|PLATINOL||intravenous|50 MG|Non-small cell lung cancer
cyclophosphamide|CYTOXAN||intravenous|500 MG|Breast cancer;Non-Hodgkin's lymphoma
tamoxifen|NOLVADEX|TAMOXIFEN CITRATE|oral|20 MG|Breast cancer
letrozole|FEMARA||oral|2.5 MG|Breast cancer
denosumab|PROLIA;XGEVA||subcutaneous|60 MG|Osteoporosis
alendronate|FOSAMAX|ALENDRONATE SODIUM|oral|70 MG|Osteoporosis
teriparatide|FORTEO||subcutaneous|20 MCG|Osteoporosis
estradiol|ESTRACE;VIVELLE-DOT||oral|1 MG|Menopausal symptoms
levonorgestrel|MIRENA;PLAN B||intrauterine|52 MG|Contraception
ethinylestradiol|YAZ;YASMIN||oral|0.03 MG|Contraception
isotretinoin|ACCUTANE;ABSORICA||oral|40 MG|Acne
montelukast|SINGULAIR|MONTELUKAST SODIUM|oral|10 MG|Asthma
fluticasone|FLONASE;FLOVENT|FLUTICASONE PROPIONATE|respiratory (inhalation)|110 MCG|Asthma
salbutamol|VENTOLIN;PROAIR|SALBUTAMOL SULFATE|respiratory (inhalation)|90 MCG|Asthma
tiotropium|SPIRIVA|TIOTROPIUM BROMIDE|respiratory (inhalation)|18 MCG|Chronic obstructive pulmonary disease
amoxicillin|AMOXIL||oral|500 MG|Infection
ciprofloxacin|CIPRO|CIPROFLOXACIN HYDROCHLORIDE|oral|500 MG|Urinary tract infection
levofloxacin|LEVAQUIN||oral|500 MG|Pneumonia
azithromycin|ZITHROMAX||oral|250 MG|Infection
doxycycline|VIBRAMYCIN|DOXYCYCLINE HYCLATE|oral|100 MG|Infection
vancomycin|VANCOCIN|VANCOMYCIN HYDROCHLORIDE|intravenous|1 G|Infection
tenofovir disoproxil|VIREAD|TENOFOVIR DISOPROXIL FUMARATE|oral|300 MG|HIV infection
efavirenz|SUSTIVA||oral|600 MG|HIV infection
sofosbuvir|SOVALDI||oral|400 MG|Hepatitis C
ribavirin|COPEGUS;REBETOL||oral|200 MG|Hepatitis C
tacrolimus|PROGRAF||oral|1 MG|Kidney transplant rejection
mycophenolate mofetil|CELLCEPT||oral|500 MG|Kidney transplant rejection
ciclosporin|NEORAL;SANDIMMUNE||oral|100 MG|Kidney transplant rejection
hydroxychloroquine|PLAQUENIL|HYDROXYCHLOROQUINE SULFATE|oral|200 MG|Rheumatoid arthritis;Systemic lupus erythematosus
tofacitinib|XELJANZ|TOFACITINIB CITRATE|oral|5 MG|Rheumatoid arthritis
ustekinumab|STELARA||subcutaneous|45 MG|Psoriasis;Crohn's disease
secukinumab|COSENTYX||subcutaneous|150 MG|Psoriasis
dupilumab|DUPIXENT||subcutaneous|300 MG|Dermatitis atopic
omalizumab|XOLAIR||subcutaneous|150 MG|Asthma
sildenafil|VIAGRA;REVATIO|SILDENAFIL CITRATE|oral|50 MG|Erectile dysfunction
tadalafil|CIALIS;ADCIRCA||oral|20 MG|Erectile dysfunction
finasteride|PROPECIA;PROSCAR||oral|5 MG|Benign prostatic hyperplasia
tamsulosin|FLOMAX|TAMSULOSIN HYDROCHLORIDE|oral|0.4 MG|Benign prostatic hyperplasia
allopurinol|ZYLOPRIM||oral|300 MG|Gout
colchicine|COLCRYS||oral|0.6 MG|Gout
potassium chloride|K-DUR;KLOR-CON||oral|20 MEQ|Hypokalaemia
cholecalciferol|DELTA D3||oral|1000 IU|Vitamin D deficiency
folic acid|FOLVITE||oral|1 MG|Folate deficiency
ferrous sulfate|FEOSOL||oral|325 MG|Anaemia
epoetin alfa|EPOGEN;PROCRIT||subcutaneous|10000 IU|Anaemia
filgrastim|NEUPOGEN;ZARXIO||subcutaneous|300 MCG|Neutropenia
heparin|HEP-LOCK|HEPARIN SODIUM|intravenous|5000 IU|Deep vein thrombosis
enoxaparin|LOVENOX|ENOXAPARIN SODIUM|subcutaneous|40 MG|Deep vein thrombosis
ondansetron|ZOFRAN|ONDANSETRON HYDROCHLORIDE|oral|8 MG|Nausea
multivitamins|CENTRUM||oral|1 DF|Vitamin supplementation
"""

DRUGS: tuple[Drug, ...] = tuple(_drug(line) for line in _DRUG_SPECS.strip().splitlines())
DRUG_BY_INGREDIENT: dict[str, Drug] = {d.ingredient: d for d in DRUGS}

INTRATHECAL_BACLOFEN_ALIASES: tuple[str, ...] = (
    "GABLOFEN",
    "LIORESAL INTRATHECAL",
    "Baclofen Intrathecal",
    "BACLOFEN",
)
"""Names under which an intrathecal baclofen product is reported."""
ORAL_BACLOFEN_ALIASES: tuple[str, ...] = (
    "LIORESAL",
    "BACLOFEN",
    "Baclofen",
    "OZOBAX",
    "LYVISPAH",
    "FLEQSUVY",
)
"""Names under which an oral baclofen product is reported."""

INTRATHECAL_BACLOFEN_BRANDS: tuple[str, ...] = ("GABLOFEN", "LIORESAL INTRATHECAL", "LIORESAL")
ORAL_BACLOFEN_BRANDS: tuple[str, ...] = ("LIORESAL", "OZOBAX", "LYVISPAH", "FLEQSUVY")
"""Brand names of intrathecal and of oral baclofen as reporters write them (realistic drug-name noise)."""


@dataclass(frozen=True)
class Combination:
    """A real multi-ingredient product: its ingredients, brands, FDA's prod_ai and generic spellings."""

    ingredients: tuple[str, ...]
    brands: tuple[str, ...]
    prod_ai: str
    generics: tuple[str, ...]
    route: str
    strength: tuple[str, str]


def _combination(spec: str) -> Combination:
    ingredients, brands, prod_ai, generics, route, strength = (part.strip() for part in spec.split("|"))
    amount, unit = strength.split()
    return Combination(
        ingredients=tuple(sorted(ingredients.split("\\"))),
        brands=tuple(b.strip() for b in brands.split(";") if b.strip()),
        prod_ai=prod_ai,
        generics=tuple(g.strip() for g in generics.split(";")),
        route=route,
        strength=(amount, unit),
    )


# ingredients | brands | prod_ai (FDA's '\'-separated form) | generic spellings | route | strength
_COMBINATION_SPECS = r"""
acetaminophen\hydrocodone|VICODIN;NORCO|ACETAMINOPHEN\HYDROCODONE BITARTRATE|HYDROCODONE BITARTRATE AND ACETAMINOPHEN;ACETAMINOPHEN/HYDROCODONE;ACETAMINOPHEN\HYDROCODONE BITARTRATE|oral|5/325 MG
acetaminophen\oxycodone|PERCOCET|ACETAMINOPHEN\OXYCODONE HYDROCHLORIDE|OXYCODONE AND ACETAMINOPHEN;OXYCODONE/ACETAMINOPHEN|oral|5/325 MG
fluticasone\salmeterol|ADVAIR;ADVAIR DISKUS|FLUTICASONE PROPIONATE\SALMETEROL XINAFOATE|FLUTICASONE PROPIONATE AND SALMETEROL;FLUTICASONE/SALMETEROL|respiratory (inhalation)|250/50 MCG
metformin\sitagliptin|JANUMET|METFORMIN HYDROCHLORIDE\SITAGLIPTIN PHOSPHATE|SITAGLIPTIN AND METFORMIN HYDROCHLORIDE;SITAGLIPTIN/METFORMIN|oral|50/1000 MG
hydrochlorothiazide\lisinopril|ZESTORETIC|HYDROCHLOROTHIAZIDE\LISINOPRIL|LISINOPRIL AND HYDROCHLOROTHIAZIDE;LISINOPRIL/HYDROCHLOROTHIAZIDE|oral|20/12.5 MG
baclofen\morphine||BACLOFEN\MORPHINE SULFATE|BACLOFEN/MORPHINE;MORPHINE/BACLOFEN|intrathecal|500/1000 MCG/ML
"""

COMBINATIONS: tuple[Combination, ...] = tuple(_combination(line) for line in _COMBINATION_SPECS.strip().splitlines())
"""Multi-ingredient products the realistic drug-name noise writes (a drug row's truth is the ingredient set)."""

EXTRA_ALIASES: dict[str, str] = {'"VITAMINS" (NOS)': "multivitamins", "VITAMINS": "multivitamins"}
"""Odd real-world names the generator also uses (the 2012Q4 quoted drugname, faers_format.md Q-6)."""

# --- MedDRA preferred terms -------------------------------------------------------------------------------

BACLOFEN_PLANTED_PTS: tuple[str, ...] = (
    "Somnolence",
    "Encephalopathy",
    "Coma",
    "Seizure",
    "Drug withdrawal syndrome",
    "Hypotonia",
)
"""Nervous-system PTs planted as strongly associated with baclofen (primary suspect)."""

SEX_DIFFERENCE_PT = "Confusional state"
"""Planted to be associated with baclofen in female reports only."""

OTHER_PLANTED_PAIRS: tuple[tuple[str, str], ...] = (
    ("warfarin", "International normalised ratio increased"),
    ("metformin", "Lactic acidosis"),
    ("clozapine", "Neutropenia"),
)
"""A few other planted drug-event pairs, for variety."""

BACKGROUND_PTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        line.strip()
        for line in """
Drug ineffective
Nausea
Fatigue
Headache
Dizziness
Diarrhoea
Pain
Off label use
Dyspnoea
Vomiting
Rash
Pruritus
Arthralgia
Malaise
Pyrexia
Asthenia
Pain in extremity
Insomnia
Anxiety
Back pain
Weight decreased
Abdominal pain
Cough
Product use issue
Condition aggravated
Fall
Depression
Weight increased
Hypertension
Oedema peripheral
Urinary tract infection
Pneumonia
Muscle spasms
Constipation
Decreased appetite
Myalgia
Chest pain
Alopecia
Hypoaesthesia
Paraesthesia
Abdominal pain upper
Tremor
Feeling abnormal
Hypersensitivity
Contusion
Influenza like illness
Nasopharyngitis
Memory impairment
Vision blurred
Anaemia
Dehydration
Hypotension
Syncope
Palpitations
Chills
Gait disturbance
Back disorder
Death
Sepsis
Blood glucose increased
Drug interaction
Product dose omission issue
Injection site pain
Dyspepsia
Stomatitis
Muscular weakness
Confusional state
Somnolence
Seizure
Hyperhidrosis
Urticaria
Erythema
Skin lesion
Dry mouth
Blood pressure increased
Heart rate increased
Atrial fibrillation
Myocardial infarction
Cardiac failure
Cerebrovascular accident
Deep vein thrombosis
Pulmonary embolism
Acute kidney injury
Renal failure
Hepatic enzyme increased
Alanine aminotransferase increased
Aspartate aminotransferase increased
Blood creatinine increased
Hyponatraemia
Hypokalaemia
Thrombocytopenia
Neutropenia
Leukopenia
Febrile neutropenia
Haemoglobin decreased
White blood cell count decreased
Platelet count decreased
Gastrointestinal haemorrhage
Haemorrhage
Epistaxis
Haematuria
Cellulitis
Herpes zoster
Sinusitis
Bronchitis
Upper respiratory tract infection
Infection
COVID-19
Respiratory failure
Asthma
Chronic obstructive pulmonary disease
Interstitial lung disease
Pleural effusion
Dysphagia
Gastrooesophageal reflux disease
Pancreatitis
Cholelithiasis
Hepatic failure
Jaundice
Drug-induced liver injury
Rash maculo-papular
Rash pruritic
Dermatitis
Psoriasis
Stevens-Johnson syndrome
Angioedema
Anaphylactic reaction
Infusion related reaction
Injection site reaction
Injection site erythema
Arthritis
Rheumatoid arthritis
Osteoarthritis
Osteonecrosis of jaw
Fracture
Hip fracture
Joint swelling
Musculoskeletal stiffness
Neck pain
Neuropathy peripheral
Migraine
Vertigo
Balance disorder
Dysarthria
Aphasia
Loss of consciousness
Amnesia
Disturbance in attention
Cognitive disorder
Hallucination
Agitation
Suicidal ideation
Completed suicide
Mood swings
Irritability
Nervousness
Panic attack
Abnormal dreams
Nightmare
Sleep disorder
Restlessness
Lethargy
Sedation
Hypersomnia
Fatigue
Visual impairment
Cataract
Glaucoma
Eye pain
Tinnitus
Deafness
Ear pain
Dysgeusia
Ageusia
Anosmia
Hot flush
Night sweats
Menstrual disorder
Vaginal haemorrhage
Breast pain
Erectile dysfunction
Urinary incontinence
Urinary retention
Pollakiuria
Dysuria
Nephrolithiasis
Proteinuria
Hyperglycaemia
Hypoglycaemia
Diabetes mellitus
Diabetic ketoacidosis
Hypothyroidism
Hyperthyroidism
Blood cholesterol increased
Hyperlipidaemia
Gout
Hyperkalaemia
Metabolic acidosis
Neoplasm malignant
Breast cancer
Lung neoplasm malignant
Prostate cancer
Basal cell carcinoma
Malignant melanoma
Lymphoma
Plasma cell myeloma
Disease progression
General physical health deterioration
Hospitalisation
Therapy interrupted
Treatment noncompliance
Intentional product misuse
Overdose
Accidental overdose
Toxicity to various agents
Drug abuse
Drug dependence
Withdrawal syndrome
Product quality issue
Device malfunction
Device dislocation
Medication error
Wrong technique in product usage process
Incorrect dose administered
Underdose
Inappropriate schedule of product administration
Product substitution issue
Adverse drug reaction
Adverse event
No adverse event
Unevaluable event
Illness
Peripheral swelling
Swelling
Swelling face
Localised infection
Wound
Skin ulcer
Bone pain
Flank pain
Chest discomfort
Abdominal discomfort
Abdominal distension
Flatulence
Haematochezia
Melaena
Colitis
Crohn's disease
Colitis ulcerative
Intestinal obstruction
Appendicitis
Hernia
Tachycardia
Bradycardia
Arrhythmia
QT prolonged electrocardiogram
Cardiac arrest
Angina pectoris
Coronary artery disease
Peripheral arterial occlusive disease
Thrombosis
Embolism
Vasculitis
Raynaud's phenomenon
Lymphadenopathy
Splenomegaly
Pancytopenia
Agranulocytosis
Bone marrow failure
Blood pressure decreased
Oxygen saturation decreased
Respiratory depression
Apnoea
Sleep apnoea syndrome
Hypoxia
Pulmonary oedema
Pneumothorax
Muscle rigidity
Dyskinesia
Akathisia
Tardive dyskinesia
Parkinsonism
Dystonia
Myoclonus
Ataxia
Nystagmus
Diplopia
Headache
Sluggishness
Encephalopathy
Coma
Drug withdrawal syndrome
Hypotonia
Lactic acidosis
International normalised ratio increased
""".strip().splitlines()
    )
)
"""Common real MedDRA PTs (mixed case, as FAERS publishes post-2012 terms) for the background."""

ALL_PTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            *BACKGROUND_PTS,
            *BACLOFEN_PLANTED_PTS,
            SEX_DIFFERENCE_PT,
            *(pt for _, pt in OTHER_PLANTED_PAIRS),
        )
    )
)
"""Every PT the default sample can use (distinct, canonical spelling)."""

GENERIC_INDICATIONS: tuple[str, ...] = (
    "Product used for unknown indication",
    "Pain",
    "Hypertension",
    "Depression",
    "Prophylaxis",
    "Insomnia",
    "Vitamin supplementation",
)
"""Indications used for concomitant drugs."""

# --- code lists (docs/faers_format.md §8) ------------------------------------------------------------------

OUTCOME_CODES: tuple[str, ...] = ("DE", "LT", "HO", "DS", "CA", "RI", "OT")
RPSR_CODES: tuple[str, ...] = ("FGN", "SDY", "LIT", "CSM", "HP", "UF", "CR", "DT", "OTH")
OCCP_CODES_LAERS: tuple[str, ...] = ("MD", "PH", "OT", "LW", "CN", "")
OCCP_CODES_FAERS: tuple[str, ...] = ("MD", "PH", "OT", "LW", "CN", "HP", "")
REPT_CODES: tuple[str, ...] = ("EXP", "PER", "DIR")
DOSE_FREQS: tuple[str, ...] = ("QD", "BID", "TID", "QID", "/WK", "/MONTH", "X1", "")

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("US", "UNITED STATES"),
    ("JP", "JAPAN"),
    ("GB", "UNITED KINGDOM"),
    ("DE", "GERMANY"),
    ("FR", "FRANCE"),
    ("CA", "CANADA"),
    ("IT", "ITALY"),
    ("ES", "SPAIN"),
    ("BR", "BRAZIL"),
    ("AU", "AUSTRALIA"),
    ("NL", "NETHERLANDS"),
    ("CN", "CHINA"),
    ("IN", "INDIA"),
    ("CH", "SWITZERLAND"),
    ("SE", "SWEDEN"),
    ("MX", "MEXICO"),
    ("KR", "KOREA, REPUBLIC OF"),
    ("BE", "BELGIUM"),
)
"""(ISO 3166-1 code for FAERS, full name for LAERS), most frequent first."""

MANUFACTURERS: tuple[tuple[str, str], ...] = (
    ("PFIZER", "PFIZER"),
    ("NOVARTIS", "PHHY"),
    ("ROCHE", "ROCHE"),
    ("MERCK", "MERCK"),
    ("JOHNSON AND JOHNSON", "JNJFOC"),
    ("SANOFI", "SA"),
    ("GLAXOSMITHKLINE", "GSK"),
    ("ASTRAZENECA", "AZ"),
    ("BRISTOL MYERS SQUIBB", "BMS"),
    ("ELI LILLY AND CO", "LILLY"),
    ("TEVA", "TEVA"),
    ("MYLAN", "MYLAN"),
    ("SAOL THERAPEUTICS", "SAOL"),
    ("PIRAMAL CRITICAL CARE", "PIRAMAL"),
    ("LABORATORIOS ESTEVE ESPAÑA", "ESTEVE"),
    ("BAYER SCHERING PHARMA AG MÜNCHEN", "BAYER"),
)
"""(mfr_sndr, the code used in mfr_num). The last two names carry non-ASCII letters: latin-1 bytes in LAERS files,
``?`` in FAERS files (FDA replaces unapproved characters, faers_format.md §2); the generator gives them
to a few reports only."""


def synonym_rows() -> list[tuple[str, str]]:
    """(name, ingredient) for every brand, alias, salt form and generic name the basic drug noise writes
    (the realistic noise also writes vocab.COMBINATIONS, misspellings and synthetic names: drugnames.py).

    Names are upper case; a normaliser should compare upper(trim(name)) after stripping the dose
    decorations described in the module docstring.
    """
    rows: dict[str, str] = {}
    for drug in DRUGS:
        rows[drug.ingredient.upper()] = drug.ingredient
        rows[drug.salt.upper()] = drug.ingredient
        for brand in drug.brands:
            rows[brand.upper()] = drug.ingredient
    for alias in (*INTRATHECAL_BACLOFEN_ALIASES, *ORAL_BACLOFEN_ALIASES):
        rows[alias.upper()] = "baclofen"
    for alias, ingredient in EXTRA_ALIASES.items():
        rows[alias.upper()] = ingredient
    return sorted(rows.items())
