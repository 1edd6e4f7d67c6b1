{#- Drug-name cleaning, one macro per rule (each takes and returns a lower-case SQL text expression).
    drug_name_cleaned chains them. Applied to DISTINCT names only (int_drug_name_keys) and to the
    synonym seed, never row by row over DRUG. Unit tests on real FDA names: models/intermediate/
    _int_drug_names__models.yml. -#}

{#- Wrap `expr` in a replacement of every match (faers_regexp_replace_all) for each (pattern, replacement). -#}
{% macro drug_regex_steps(expr, steps) -%}
    {%- set ns = namespace(expr=expr) -%}
    {%- for pattern, replacement in steps -%}
        {%- set ns.expr = faers_regexp_replace_all(ns.expr, pattern, replacement) -%}
    {%- endfor -%}
    {{ ns.expr }}
{%- endmacro %}

{#- A whole word (or phrase) of the list, bounded by non-alphanumerics: RE2 fragment with two groups
    (the boundaries), replaced by '\1 \2'. Applied twice where words can be adjacent ('tablet oral'). -#}
{% macro drug_word_pattern(words) -%}
    (^|[^a-z0-9-])(?:{{ words | join('|') }})([^a-z0-9-]|$)
{%- endmacro %}

{#- Rule: manufacturer tails. Text in brackets ('[SANDOZ]'), in parentheses ('(MYLAN)'; the
    parenthesised text is kept apart as a second candidate, see drug_name_in_parentheses, and is
    used only when the outer name maps to nothing, so 'GENERIC (MANUFACTURER)' stays the generic), a
    tail after a spaced dash ('METFORMIN - TEVA', '(OXALIPLATIN) - SOLUTION- 85 MG/M2') and a
    trailing generic-manufacturer word (drug_name_manufacturer_words). -#}
{% macro drug_name_manufacturer_words() -%}
    {{ return([
        'teva', 'mylan', 'sandoz', 'apotex', 'actavis', 'watson', 'hospira', 'aurobindo', 'ranbaxy',
        'amneal', 'zydus', 'lupin', 'cipla', 'glenmark', 'wockhardt', 'greenstone', 'camber', 'qualitest',
        'mallinckrodt', 'fresenius', 'hikma', 'accord', 'heritage', 'northstar', 'solco', 'ascend',
        'torrent', 'macleods', 'unichem', 'jubilant', 'breckenridge', 'upsher-smith', 'roxane',
    ]) }}
{%- endmacro %}

{% macro drug_name_strip_manufacturer(expr) -%}
    {{ drug_regex_steps(expr, [
        ('\\([^)]*\\)?|\\[[^\\]]*\\]?', ' '),
        ('[ ]+-[ ]*[^\\\\]*$', ' '),
        ('[ ,]+(?:' ~ drug_name_manufacturer_words() | join('|') ~ ')[ .]*$', ' '),
    ]) }}
{%- endmacro %}

{#- Rule: dose strengths and units: '10MG', '2000MCG/ML', '0.05%', '1 G/10 ML', '85 MG/M2',
    '100 UNITS', '5 MG/24HR', and a unit left alone at the end ('TABLET, IU', 'CAPSULE, 6U'). A bare number or ratio left over ('OPTIRAY 320', '100/50') is dropped
    at the end of each ingredient by drug_name_strip_punctuation. -#}
{% macro drug_name_strip_strengths(expr) -%}
    {%- set unit -%}
        (?:mg|mcg|ug|µg|g|gm|gr|grams?|kg|ml|l|iu|ui|units?|u|meq|mmol|mol|df|%)
    {%- endset -%}
    {%- set per -%}
        (?: */ *(?:[0-9]+(?:[.,][0-9]+)? *)?(?:ml|l|g|kg|m2|h|hr|hrs|hours?|24h|24hr|day|dose|actuation|puff|tab|spray|vial))?
    {%- endset -%}
    {%- set strength -%}
        (^|[^a-z0-9])[0-9]+(?:[.,][0-9]+)? *{{ unit }}{{ per }}([^a-z0-9]|$)
    {%- endset -%}
    {{ drug_regex_steps(expr, [
        (strength, '\\1 \\2'),
        (strength, '\\1 \\2'),
        ('[, ]+(?:mg|mcg|ug|iu|ml|[0-9]+ ?u)[ .]*$', ''),
    ]) }}
{%- endmacro %}

{#- Rule: dosing frequencies: QD, BID, TID, QID, PRN, QHS, HS, QOD, QAM, QPM, Q4H..., DAILY, WEEKLY,
    ONCE/TWICE DAILY, 'AS NEEDED', and LAERS's 'CONTINUING' ('BACTRIM CONTINUING'). -#}
{% macro drug_name_strip_frequencies(expr) -%}
    {%- set words = [
        'qd', 'bid', 'tid', 'qid', 'prn', 'qhs', 'hs', 'qod', 'qam', 'qpm', 'qw', 'qwk', 'q[0-9]+h',
        'q[0-9]+hrs?', '(?:once|twice|three times|[0-9]+ times) (?:a |per )?(?:day|daily|week|weekly)',
        'daily', 'weekly', 'monthly', 'nightly', 'at bedtime', 'as needed', 'per day', 'continuing',
        '[0-9]+ ?(?:hr|hrs|hours?)',
    ] -%}
    {{ drug_regex_steps(expr, [(drug_word_pattern(words), '\\1 \\2'), (drug_word_pattern(words), '\\1 \\2')]) }}
{%- endmacro %}

{#- Rule: dosage forms, devices and routes reporters append (TABLETS, CAPSULES, INJECTION, ORAL
    SOLUTION, INTRATHECAL, PUMP, PATCH, CREAM, ...). Applied twice ('tablet oral'). -#}
{% macro drug_name_form_words() -%}
    {{ return([
        'tablets?', 'tabs?', 'caplets?', 'capsules?', 'caps?', 'pills?', 'lozenges?', 'pastilles?',
        'injections?', 'injectable', 'inj', 'infusion', 'solution', 'soln', 'sol', 'suspension', 'susp',
        'syrup', 'elixir', 'emulsion', 'concentrate', 'cream', 'ointment', 'oint', 'gel', 'lotion',
        'foam', 'patch(?:es)?', 'spray', 'drops', 'powder', 'granules', 'inhalers?', 'inhalation',
        'aerosol', 'nebuli[sz]er', 'suppositor(?:y|ies)', 'pens?', 'prefilled', 'pre-filled', 'syringes?',
        'vials?', 'ampoules?', 'kit', 'pump', 'implant', 'film[- ]coated', 'coated', 'chewable',
        'dispersible', 'effervescent', 'orally disintegrating', 'hard', 'soft', 'hfa', 'diskus',
        'oral', 'orally', 'intravenous', 'intravenously', 'iv', 'intramuscular', 'im', 'subcutaneous',
        'sc', 'sq', 'topical', 'ophthalmic', 'nasal', 'rectal', 'vaginal', 'transdermal', 'sublingual',
        'buccal', 'otic', 'intrathecal', 'epidural', 'for', 'nos', 'generic',
    ]) }}
{%- endmacro %}

{% macro drug_name_strip_forms_routes(expr) -%}
    {%- set pattern = drug_word_pattern(drug_name_form_words()) -%}
    {{ drug_regex_steps(expr, [(pattern, '\\1 \\2'), (pattern, '\\1 \\2')]) }}
{%- endmacro %}

{#- Rule: pharmacopoeia and release words: USP, BP, EP, NF, XR, ER, SR, CR, XL, LA, DR, EC, ODT, CD,
    and spelled-out extended/delayed/modified/sustained/controlled/prolonged release. -#}
{% macro drug_name_strip_release_words(expr) -%}
    {%- set words = [
        'usp', 'bp', 'ep', 'nf', 'xr', 'er', 'sr', 'cr', 'xl', 'la', 'dr', 'ec', 'odt', 'cd',
        '(?:extended|delayed|modified|sustained|controlled|prolonged)[- ]release',
        'gastro[- ]resistant', 'enteric[- ]coated',
    ] -%}
    {%- set pattern = drug_word_pattern(words) -%}
    {{ drug_regex_steps(expr, [(pattern, '\\1 \\2'), (pattern, '\\1 \\2')]) }}
{%- endmacro %}

{#- Rule: COMPOUNDED (pharmacy-compounded products name the ingredient beside it). -#}
{% macro drug_name_strip_compounded(expr) -%}
    {{ drug_regex_steps(expr, [(drug_word_pattern(['compounded', 'compounding', 'compound']), '\\1 \\2')]) }}
{%- endmacro %}

{#- Rule: punctuation: quotes dropped; every other punctuation except '-', '\' and apostrophes or dots
    inside a word becomes a blank; leading and trailing punctuation of each ingredient ('BACLOFEN.',
    'ASPIRIN,') dropped; bare numbers ending an ingredient ('APAP 5 325', 'OPTIRAY 320') dropped;
    blanks collapsed and trimmed around '\'. -#}
{% macro drug_name_strip_punctuation(expr) -%}
    {{ drug_regex_steps(expr, [
        ('[^a-z0-9\\\\.,\'-]+', ' '),
        ('(^|[ \\\\])[.,\'-]+|[.,\'-]+([ \\\\]|$)', '\\1 \\2'),
        ('(^|[ \\\\])[.,\'-]+|[.,\'-]+([ \\\\]|$)', '\\1 \\2'),
        ('(?:[ ]+[0-9]+(?:[.,][0-9]+)*)+([ ]*\\\\|[ ]*$)', '\\1'),
        ('^(?:[0-9]+(?:[.,][0-9]+)*[ ]*)+$', ''),
        ('[ ]*\\\\[ ]*', '\\\\'),
        ('\\\\+', '\\\\'),
        ('^\\\\|\\\\$', ''),
        (' +', ' '),
    ]) }}
{%- endmacro %}

{#- Rule: names that say nothing (UNKNOWN, UNSPECIFIED, NOT REPORTED, 'UNKNOWN DRUG', N/A, NONE) -> NULL. -#}
{% macro drug_name_unknown_to_null(expr) -%}
    {%- set pattern -%}
        ^(?:unknown|unk|unspecified|not reported|not specified|not known|not applicable|n a|na|none|no|nos|other|drug|medication|medicine|product)(?: (?:drugs?|medications?|medicines?|products?|therapy|ingredients?|name))?$
    {%- endset -%}
    case when {{ faers_regexp_matches(expr, pattern) }} then null else {{ expr }} end
{%- endmacro %}

{#- A DRUGNAME as ingredient text (the rules above, in this order): lower case; quotes dropped;
    manufacturer tails and bracketed text dropped; strengths; 'a/b' between letters and ' and '/' & '/' + '
    between words become the ingredient separator '\'; frequencies; dosage forms and routes; release
    words; COMPOUNDED; 'hcl' spelled 'hydrochloride'; punctuation; unknowns -> NULL. NULL when nothing is
    left. The caller splits on '\'. -#}
{% macro drug_name_cleaned(column) -%}
    {%- set lowered = drug_regex_steps("lower(" ~ column ~ ")", [('["`^]', ''), ('\\s+', ' ')]) -%}
    {%- set expr = drug_name_strip_manufacturer(lowered) -%}
    {%- set expr = drug_name_strip_strengths(expr) -%}
    {%- set expr = drug_regex_steps(expr, [
        ('([a-z]) +w */ *([a-z])', '\\1\\\\\\2'),
        ('([a-z]) */ *([a-z])', '\\1\\\\\\2'),
        ('([a-z]) +(?:and|&|\\+|with|w) +([a-z])', '\\1\\\\\\2'),
    ]) -%}
    {%- set expr = drug_name_strip_frequencies(expr) -%}
    {%- set expr = drug_name_strip_forms_routes(expr) -%}
    {%- set expr = drug_name_strip_release_words(expr) -%}
    {%- set expr = drug_name_strip_compounded(expr) -%}
    {%- set expr = drug_regex_steps(expr, [('(^|[^a-z0-9])hcl([^a-z0-9]|$)', '\\1hydrochloride\\2')]) -%}
    {%- set expr = drug_name_strip_punctuation(expr) -%}
    {{ drug_name_unknown_to_null("nullif(trim(" ~ expr ~ "), '')") }}
{%- endmacro %}

{#- The text in the first parentheses of a DRUGNAME, cleaned like a name ('TYLENOL (ACETAMINOPHEN)' ->
    'acetaminophen'); a candidate only when the outer name maps to nothing (int_drug_names_normalized). -#}
{% macro drug_name_in_parentheses(column) -%}
    {{ drug_name_cleaned(faers_regexp_extract(column, '\\(([^)]*)\\)', 1)) }}
{%- endmacro %}

{#- A PROD_AI ingredient (already an active ingredient name): lower case, trimmed, trailing dots
    dropped, blanks collapsed; NULL when empty. -#}
{% macro drug_ingredient_cleaned(column) -%}
    nullif(trim({{ faers_regexp_replace_all(faers_regexp_replace_all('lower(' ~ column ~ ')', '[. ]+$', ''), ' +', ' ') }}), '')
{%- endmacro %}

{#- The active moiety of one ingredient: its salt, ester and hydrate words (seeds/drug_salt_words.csv,
    passed as the list expression `salt_words`) removed ('paroxetine hydrochloride' -> 'paroxetine',
    'warfarin sodium' -> 'warfarin', 'fluticasone propionate' -> 'fluticasone'); the first word always
    stays ('magnesium hydroxide'), an ingredient made only of such words stays whole ('sodium chloride',
    'ferrous sulfate'), and so does one holding a `keep_words` word (seed kind 'keep': the ester is the
    drug, 'dimethyl fumarate'). var('drug_keep_salts'): true keeps every ingredient as given. -#}
{% macro drug_active_moiety(ingredient, salt_words, keep_words) -%}
    {%- if var('drug_keep_salts') -%}
        {{ ingredient }}
    {%- else -%}
        {%- set words = faers_split(ingredient, ' ') -%}
        case
            when {{ faers_list_all(words, 'word', faers_list_contains(salt_words, 'word')) }}
                or {{ faers_list_has_any(words, keep_words) }}
                then {{ ingredient }}
            else {{ faers_join(faers_list_filter(words, 'word, i',
                'i = ' ~ faers_list_first_position() ~ ' or not ' ~ faers_list_contains(salt_words, 'word')), ' ') }}
        end
    {%- endif -%}
{%- endmacro %}

{#- Ingredient text ('\'-separated, from any source: prod_ai, the seed, RxNorm, the dictionary, a cleaned
    name) as this project's ingredient set: each part looked up in the synonym seed on its key (the part
    cleaned as an ingredient, 'hcl' spelled 'hydrochloride': the seed's names are cleaned DRUGNAMEs, and an
    ingredient text has no strengths or forms to strip), then on its moiety's key (`lookups.synonyms`, the MAP of int_drug_name_lookups),
    else kept (drug_ingredient_cleaned); every resulting ingredient reduced to its active moiety;
    distinct, sorted, joined with '\'. NULL when nothing is left. The caller cross joins
    int_drug_name_lookups as `lookups`. -#}
{% macro drug_ingredient_set(text, lookups='lookups') -%}
    {%- set key = faers_regexp_replace_all(drug_ingredient_cleaned('part'), '(^|[^a-z0-9])hcl([^a-z0-9]|$)',
        '\\1hydrochloride\\2') -%}
    {%- set parts = faers_list_filter(faers_split(text, '\\'), 'part',
        drug_ingredient_cleaned('part') ~ ' is not null') -%}
    {%- set looked_up -%}
        {{ faers_split('coalesce(' ~ lookups ~ '.synonyms[' ~ key ~ '], ' ~ lookups ~ '.synonyms['
            ~ drug_active_moiety(key, lookups ~ '.salt_words', lookups ~ '.keep_words') ~ '], '
            ~ drug_ingredient_cleaned('part') ~ ')', '\\') }}
    {%- endset -%}
    {%- set moieties = faers_list_transform(faers_flatten(faers_list_transform(parts, 'part', looked_up)),
        'ingredient', drug_active_moiety(drug_ingredient_cleaned('ingredient'), lookups ~ '.salt_words',
            lookups ~ '.keep_words')) -%}
    nullif({{ faers_join(faers_list_sorted_distinct(faers_list_filter(moieties, 'ingredient',
        "ingredient is not null and ingredient != ''")), '\\') }}, '')
{%- endmacro %}

{#- The CTEs of int_drug_name_keys after `name_pairs` (drug_name, prod_ai, n_rows) and `lookups`
    (int_drug_name_lookups): the cleaned keys of each pair, ending in CTE `keys`. Their rendered text is part of
    the keys' logic version (faers_drug_name_keys_logic_version): editing them rebuilds every pair. -#}
{% macro drug_name_keys_rows() -%}


names_cleaned as (

    select
        drug_name,
        {{ drug_name_cleaned('drug_name') }} as name_key,
        {{ drug_name_in_parentheses('drug_name') }} as paren_key
    from (select distinct drug_name from name_pairs)

),

names as (

    select
        names_cleaned.drug_name,
        names_cleaned.name_key,
        names_cleaned.paren_key,
        lookups.synonym_sets[names_cleaned.name_key] as synonym_ingredient,
        lookups.synonym_sets[names_cleaned.paren_key] as paren_synonym_ingredient,
        {{ drug_ingredient_set('coalesce(names_cleaned.name_key, names_cleaned.paren_key)') }} as cleaned_ingredient
    from names_cleaned
    cross join lookups

),

prod_ais as (

    select
        prod_ai,
        {{ drug_ingredient_set('prod_ai') }} as prod_ai_ingredient
    from (select distinct prod_ai from name_pairs where prod_ai is not null)
    cross join lookups

),

keys as (

    select
        name_pairs.drug_name,
        name_pairs.prod_ai,
        name_pairs.n_rows,
        names.name_key,
        names.paren_key,
        prod_ais.prod_ai_ingredient,
        names.synonym_ingredient,
        names.paren_synonym_ingredient,
        names.cleaned_ingredient
    from name_pairs
    left join names
        on name_pairs.drug_name is not distinct from names.drug_name
    left join prod_ais
        on name_pairs.prod_ai = prod_ais.prod_ai

)
{%- endmacro %}
