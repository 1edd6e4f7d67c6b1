{#- True for a fct_case_drug row that counts as a suspect: a role of `roles` (default var('suspect_roles')) and a
    drug (the normalised ingredient set; a row whose names did not map has none). The one definition of a suspect
    row: the signals' cells (suspect_drug_rows), the tto mart (tto_rows) and the study's steps read it. -#}
{% macro is_suspect_drug_row(relation, roles=none) -%}
    {%- set roles = var('suspect_roles') if roles is none else roles -%}
    ({{ faers_list_contains(faers_list_literal(roles), relation ~ '.role_cod') }} and {{ relation }}.drug is not null)
{%- endmacro %}

{#- The (primary_id, drug) rows a report counts for a drug, by var('drug_unit'), defined once for the
    signals cells and the study: 'ingredient' -> one row per ingredient of each drug row
    (fct_case_drug_ingredient: a combination counts for each of its ingredients); 'product' -> one row
    per drug row with its whole ingredient set as the drug (fct_case_drug.drug). Only drug rows in a role
    of var('suspect_roles') with an ingredient. Extra columns of fct_case_drug (e.g. drug_name, prod_ai)
    can be asked for in `columns`. A drug repeated in a report still yields several rows: callers count
    it once per report. `roles` overrides var('suspect_roles') (the co-suspect count reads PS and SS).
    `marts` (a dict with the relations 'fct_case_drug' and 'fct_case_drug_ingredient') reads those
    instead of the refs (macro drug_event_cells_rows: a subset of the marts' rows, or the marts read by
    name before a build rewrites them). -#}
{% macro suspect_drug_rows(columns=[], case_drugs=none, roles=none, marts=none) -%}
    {%- set roles = var('suspect_roles') if roles is none else roles -%}
    {%- if marts is none -%}
        {#- both marts are dependencies whatever the unit, so one parse serves every --vars -#}
        {%- set marts = {'fct_case_drug': ref('fct_case_drug'), 'fct_case_drug_ingredient': ref('fct_case_drug_ingredient')} -%}
    {%- endif -%}
    {%- set unit = var('drug_unit') -%}
    {%- if unit == 'ingredient' -%}
    {%- if case_drugs is none %}
        {#- the mart's ingredient rows, joined to their drug rows (unique on primary_id, drug_seq) for `columns` #}
        {%- set ingredients_relation = marts['fct_case_drug_ingredient'] -%}
        {%- set columns_from = 'case_drugs' -%}
    {%- else %}
        {#- the ingredients of the given drug rows, each carrying its row's `columns` (no join back to the rows) #}
        {%- set ingredients_relation = '(' ~ case_drug_ingredient_rows(case_drugs, columns) ~ ')' -%}
        {%- set columns_from = 'case_drug_ingredients' -%}
    {%- endif %}
    select
        case_drug_ingredients.primary_id,
        case_drug_ingredients.ingredient as drug
        {%- for column in columns %},
        {{ columns_from }}.{{ column }}
        {%- endfor %}
    from {{ ingredients_relation }} as case_drug_ingredients
    {%- if columns and case_drugs is none %}
    inner join {{ marts['fct_case_drug'] }} as case_drugs
        on case_drug_ingredients.primary_id = case_drugs.primary_id
        and case_drug_ingredients.drug_seq = case_drugs.drug_seq
    {%- endif %}
    where {{ faers_list_contains(faers_list_literal(roles), 'case_drug_ingredients.role_cod') }}
    {%- elif unit == 'product' -%}
    select
        case_drugs.primary_id,
        case_drugs.drug
        {%- for column in columns %},
        case_drugs.{{ column }}
        {%- endfor %}
    from {{ marts['fct_case_drug'] if case_drugs is none else case_drugs }} as case_drugs
    where {{ is_suspect_drug_row('case_drugs', roles) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var drug_unit must be 'ingredient' or 'product', got '" ~ unit ~ "'") }}
    {%- endif -%}
{%- endmacro %}
