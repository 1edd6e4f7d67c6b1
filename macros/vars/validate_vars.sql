{#- The allowed values of the project's vars: the one definition (dbt_project.yml's comments document
    them; faers.vars reads this block for the Python side, e.g. the study file's checks). Kinds:
      one_of: [...]        a string among these
      list_of: [...]       a non-empty list of strings among these (case as written)
      list_or_empty: [...] the same, or [] (expected_strata: [] = unstratified)
      names                a list, maybe empty, of non-empty strings (e.g. ingredient names)
      boolean              true or false (not the strings 'true'/'false')
      number / integer     with optional min (inclusive) or above (exclusive)
      date                 'YYYY-MM-DD'
      prior                null, or [alpha1, beta1, alpha2, beta2, p]: shapes and rates > 0, 0 < p < 1
      quarter              null, or a quarter 'YYYYQn'
    The study_* vars are not listed: `faers study` derives them from a study file it validates itself. -#}
{% macro faers_var_rules() -%}
{%- set rules_yaml -%}
faers_min_date: {kind: date}
faers_max_date: {kind: date}
max_age_years: {kind: number, above: 0}
max_weight_kg: {kind: number, above: 0}
serious_outcome_codes: {kind: list_of, values: [DE, LT, HO, DS, CA, RI, OT]}
incremental_staging: {kind: boolean}
explorer: {kind: boolean}
as_of_quarter: {kind: quarter}
suspect_roles: {kind: list_of, values: [PS, SS, C, I, DN]}
z_975: {kind: number, above: 0}
chi2_yates: {kind: boolean}
ic_variant: {kind: one_of, values: [noren, noren_approx, bate, gould, table2]}
ebgm_variant: {kind: one_of, values: [mgps, table2]}
table2_eb_z: {kind: number, above: 0}
mgps_likelihood: {kind: one_of, values: [full, truncated]}
mgps_prior: {kind: prior}
ror_min_a: {kind: integer, min: 1}
ror_lower_threshold: {kind: number, min: 0}
prr_min_a: {kind: integer, min: 1}
prr_threshold: {kind: number, min: 0}
prr_chi2_threshold: {kind: number, min: 0}
ic025_threshold: {kind: number}
eb05_threshold: {kind: number, min: 0}
drug_keep_salts: {kind: boolean}
drug_learned_min_support: {kind: integer, min: 1}
drug_learned_min_agreement: {kind: number, min: 0}
drug_dictionary_min_agreement: {kind: number, min: 0}
drug_unit: {kind: one_of, values: [ingredient, product]}
expected_strata: {kind: list_or_empty, values: [sex, age_group, report_year, reporter_country, occp_cod]}
expected_year_band: {kind: integer, min: 1}
background_exclude_drugs: {kind: names}
{%- endset -%}
{{ return(fromyaml(rules_yaml)) }}
{%- endmacro %}

{#- What is wrong with `value` under `rule` ('' when nothing): "<allowed values>, got <value>". -#}
{% macro faers_var_problem(value, rule) -%}
    {%- set kind = rule['kind'] -%}
    {%- set is_number = value is number and value is not boolean -%}
    {%- set ns = namespace(ok=true, allowed='') -%}
    {%- if kind == 'one_of' -%}
        {%- set ns.allowed = 'one of ' ~ rule['values'] | join(', ') -%}
        {%- set ns.ok = value is string and value in rule['values'] -%}
    {%- elif kind in ('list_of', 'list_or_empty') -%}
        {%- set ns.allowed = ('a list (maybe empty) of ' if kind == 'list_or_empty' else 'a non-empty list of ')
            ~ rule['values'] | join(', ') -%}
        {%- set ns.ok = value is sequence and value is not string and value is not mapping
            and (value | length > 0 or kind == 'list_or_empty') -%}
        {%- if ns.ok -%}
            {%- for item in value -%}
                {%- if item is not string or item not in rule['values'] -%}
                    {%- set ns.ok = false -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif kind == 'names' -%}
        {%- set ns.allowed = 'a list (maybe empty) of non-empty names' -%}
        {%- set ns.ok = value is sequence and value is not string and value is not mapping -%}
        {%- if ns.ok -%}
            {%- for item in value -%}
                {%- if item is not string or item | trim == '' or "'" in item -%}
                    {%- set ns.ok = false -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif kind == 'boolean' -%}
        {%- set ns.allowed = 'true or false' -%}
        {%- set ns.ok = value is boolean -%}
    {%- elif kind in ('number', 'integer') -%}
        {%- set ns.allowed = 'an integer' if kind == 'integer' else 'a number' -%}
        {%- set ns.ok = is_number and (kind == 'number' or value is integer) -%}
        {%- if 'min' in rule -%}
            {%- set ns.allowed = ns.allowed ~ ' >= ' ~ rule['min'] -%}
            {%- set ns.ok = ns.ok and value >= rule['min'] -%}
        {%- endif -%}
        {%- if 'above' in rule -%}
            {%- set ns.allowed = ns.allowed ~ ' > ' ~ rule['above'] -%}
            {%- set ns.ok = ns.ok and value > rule['above'] -%}
        {%- endif -%}
    {%- elif kind == 'date' -%}
        {%- set ns.allowed = "a date 'YYYY-MM-DD'" -%}
        {%- set ns.ok = value is string and modules.re.fullmatch(
            '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', value) is not none -%}
    {%- elif kind == 'prior' -%}
        {%- set ns.allowed = 'null or [alpha1, beta1, alpha2, beta2, p] with shapes and rates > 0 and 0 < p < 1' -%}
        {%- if value is not none -%}
            {%- set ns.ok = value is sequence and value is not string and value is not mapping
                and value | length == 5 -%}
            {%- if ns.ok -%}
                {%- for item in value -%}
                    {%- if item is not number or item is boolean or item <= 0
                        or (loop.last and item >= 1) -%}
                        {%- set ns.ok = false -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind == 'quarter' -%}
        {%- set ns.allowed = "null or a quarter 'YYYYQn'" -%}
        {%- set ns.ok = value is none or (value is string
            and modules.re.fullmatch('[0-9]{4}Q[1-4]', value) is not none) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("faers_var_rules: unknown kind " ~ kind) }}
    {%- endif -%}
    {%- if not ns.ok -%}
        {{- ns.allowed ~ ', got ' ~ tojson(value) -}}
    {%- endif -%}
{%- endmacro %}

{#- Fails the run before any model with one line naming every var whose value is not allowed (called
    from on-run-start in dbt_project.yml; dbt build, faers build, faers update alike). -#}
{% macro validate_vars() -%}
    {%- set problems = [] -%}
    {%- for name, rule in faers_var_rules().items() -%}
        {%- set problem = faers_var_problem(var(name, none), rule) | trim -%}
        {%- if problem -%}
            {%- do problems.append('var ' ~ name ~ ': expected ' ~ problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the rules across vars once their own values are valid -#}
    {%- set checked = namespace(valid=true) -%}
    {%- for problem in problems -%}
        {%- for name in ('expected_strata', 'background_exclude_drugs', 'mgps_likelihood', 'mgps_prior') -%}
            {%- if problem.startswith('var ' ~ name ~ ':') -%}
                {%- set checked.valid = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if checked.valid -%}
        {%- do problems.extend(faers_adjustment_problems()) -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems | join('; ')) }}
    {%- endif -%}
{%- endmacro %}

{#- Rules across vars of the adjusted signals (docs/adjusted_signals.md): strata and masking make E and N
    cell-specific, so the full MGPS likelihood (every zero cell grouped by its margins) cannot be
    evaluated; openEBGM's zero-truncated likelihood or a given prior can. Masking and strata are not
    combined (a masked background per stratum is not defined here). -#}
{% macro faers_adjustment_problems() -%}
    {%- set problems = [] -%}
    {%- set strata = var('expected_strata', []) -%}
    {%- set masked = var('background_exclude_drugs', []) -%}
    {%- if (strata or masked) and var('mgps_likelihood') == 'full' and var('mgps_prior', none) is none -%}
        {%- do problems.append('var ' ~ ('expected_strata' if strata else 'background_exclude_drugs')
            ~ ': needs mgps_likelihood: truncated (openEBGM) or a fixed mgps_prior, since it makes E '
            ~ 'cell-specific and the full likelihood groups the zero cells by the crude margins') -%}
    {%- endif -%}
    {%- if strata and masked -%}
        {%- do problems.append('vars expected_strata and background_exclude_drugs: set one of them, not both') -%}
    {%- endif -%}
    {{ return(problems) }}
{%- endmacro %}
