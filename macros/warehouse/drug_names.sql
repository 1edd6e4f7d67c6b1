{#- Drug-name cleaning. Applied to DISTINCT names only (int_drug_names_normalized) and to the
    synonym seed, never row by row over DRUG. -#}

{#- Dosage forms, release modifiers, routes and filler words reporters append to a DRUGNAME. -#}
{% macro drug_name_noise_words() -%}
    {{ return([
        'tablets?', 'tabs?', 'caplets?', 'capsules?', 'caps?', 'pills?', 'lozenges?', 'pastilles?',
        'injections?', 'injectable', 'inj', 'infusion', 'solution', 'soln', 'sol', 'suspension', 'susp',
        'syrup', 'elixir', 'emulsion', 'concentrate', 'cream', 'ointment', 'oint', 'gel', 'lotion',
        'foam', 'patch(?:es)?', 'spray', 'drops', 'powder', 'granules', 'inhalers?', 'inhalation',
        'aerosol', 'nebuli[sz]er', 'suppositor(?:y|ies)', 'pen', 'prefilled', 'pre-filled', 'syringe',
        'vials?', 'ampoules?', 'kit', 'film[- ]coated', 'coated', 'chewable', 'dispersible',
        'effervescent', 'orally disintegrating', 'extended[- ]release', 'delayed[- ]release',
        'modified[- ]release', 'sustained[- ]release', 'controlled[- ]release', 'prolonged[- ]release',
        'gastro[- ]resistant', 'enteric[- ]coated', 'ec', 'hard', 'soft', 'er', 'xr', 'xl', 'sr', 'cr', 'dr', 'la', 'odt', 'hfa',
        'oral', 'orally', 'intravenous', 'intravenously', 'iv', 'intramuscular', 'im', 'subcutaneous',
        'sc', 'sq', 'topical', 'ophthalmic', 'nasal', 'rectal', 'vaginal', 'transdermal', 'sublingual',
        'buccal', 'otic', 'intrathecal', 'epidural', 'for', 'nos', 'unknown', 'generic',
    ]) }}
{%- endmacro %}

{#- A DRUGNAME as ingredient text, in this order: lower case; quotes (" ` ^) dropped; text in
    parentheses or brackets dropped; dose strengths ('10 mg', '0.5mg/ml', '5 %', '100 units')
    dropped; 'a/b' between letters becomes the ingredient separator '\'; dosage forms, release
    modifiers and routes (drug_name_noise_words) dropped; 'hcl' spelled 'hydrochloride'; every
    other punctuation except '-', '\' and apostrophes or dots inside a word dropped; blanks
    collapsed; bare numbers ending an ingredient ('apap 5 325') dropped; blanks trimmed around '\'. NULL when nothing is left. The caller splits on '\'. -#}
{% macro drug_name_cleaned(column) -%}
    {%- set unit -%}
        (?:mg|mcg|ug|µg|g|gm|gr|kg|ml|l|iu|ui|units?|u|meq|mmol|mol|df|%)
    {%- endset -%}
    {%- set per -%}
        (?: */ *(?:[0-9]+(?:[.,][0-9]+)? *)?(?:ml|l|g|kg|h|hr|hrs|hour|day|dose|actuation|puff|tab))?
    {%- endset -%}
    {%- set p_quotes -%} ["`^] {%- endset -%}
    {%- set p_brackets -%} \([^)]*\)?|\[[^\]]*\]? {%- endset -%}
    {%- set p_strength -%} (^|[^a-z0-9])[0-9]+(?:[.,][0-9]+)? *{{ unit }}{{ per }}([^a-z0-9]|$) {%- endset -%}
    {%- set p_slash -%} ([a-z]) */ *([a-z]) {%- endset -%}
    {%- set p_noise -%} (^|[^a-z0-9-])(?:{{ drug_name_noise_words() | join('|') }})([^a-z0-9-]|$) {%- endset -%}
    {%- set p_hcl -%} (^|[^a-z0-9])hcl([^a-z0-9]|$) {%- endset -%}
    {%- set p_punct -%} [^a-z0-9\\.,'-]+ {%- endset -%}
    {%- set p_edges -%} (^|[ \\])[.,'-]+|[.,'-]+([ \\]|$) {%- endset -%}
    {%- set p_numbers -%} (?:[ ]+[0-9]+(?:[.,][0-9]+)*)+([ ]*\\|[ ]*$) {%- endset -%}
    {%- set p_sep -%} [ ]*\\[ ]* {%- endset -%}
    {%- set steps = [
        (p_quotes, ''),
        (p_brackets, ' '),
        (p_strength, '\\1 \\2'),
        (p_strength, '\\1 \\2'),
        (p_slash, '\\1\\\\\\2'),
        (p_noise, '\\1 \\2'),
        (p_noise, '\\1 \\2'),
        (p_hcl, '\\1hydrochloride\\2'),
        (p_punct, ' '),
        (p_edges, '\\1 \\2'),
        (p_edges, '\\1 \\2'),
        (p_numbers, '\\1'),
        (p_sep, '\\\\'),
        (' +', ' '),
    ] -%}
    {%- set ns = namespace(expr="lower(" ~ column ~ ")") -%}
    {%- for pattern, replacement in steps -%}
        {%- set ns.expr = "regexp_replace(" ~ ns.expr ~ ", '" ~ pattern | replace("'", "''")
            ~ "', '" ~ replacement ~ "', 'g')" -%}
    {%- endfor -%}
    nullif(trim({{ ns.expr }}), '')
{%- endmacro %}

{#- A PROD_AI ingredient (already an active ingredient name): lower case, trimmed, trailing dots
    dropped, blanks collapsed; NULL when empty. -#}
{% macro drug_ingredient_cleaned(column) -%}
    nullif(trim(regexp_replace(regexp_replace(lower({{ column }}), '[. ]+$', ''), ' +', ' ', 'g')), '')
{%- endmacro %}
