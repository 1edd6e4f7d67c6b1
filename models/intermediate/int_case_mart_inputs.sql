-- What the incremental case marts (macro faers_case_mart) are built from now, besides the kept cases themselves
-- (int_cases_deduplicated, recorded as int_case_mart_cases_built), one row per (kind, key) with a fingerprint
-- `value`; int_case_mart_changes compares it with int_case_mart_inputs_built, its copy as of the last build of
-- every case mart:
--   quarter    per quarter: its latest raw.load_log.loaded_at (a quarter without one counts as changed on every
--              build, as its staging rows are re-typed on every build);
--   drug_name  per (drug_name, prod_ai) of DRUG: its ingredient set and mapping_source;
--   term       per published MedDRA term: what int_terms_resolved maps it to;
--   logic      one row: the md5 of the marts' logic (faers_case_marts_logic), the six staging tables'
--              logic_version and the country seed.
{{ config(enabled=faers_case_marts_incremental()) }}
{%- set logic_version = faers_logic_version(faers_case_marts_logic()) %}
with

kept_quarters as (

    select distinct quarter from {{ ref('int_cases_deduplicated') }}

),

quarter_loads as (

    {{ faers_quarter_loads() }}

),

drug_names as (

    select * from {{ ref('int_drug_names_normalized') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

quarter_inputs as (

    select
        'quarter' as kind,
        kept_quarters.quarter as key,
        coalesce(cast(quarter_loads.loaded_at as varchar), '{{ invocation_id }}') as value
    from kept_quarters
    left join quarter_loads
        on kept_quarters.quarter = quarter_loads.quarter

),

drug_name_inputs as (

    select
        'drug_name' as kind,
        {{ faers_encode('drug_name') }} || {{ faers_encode('prod_ai') }} as key,
        {{ faers_encode('drug') }} || {{ faers_encode('mapping_source') }} as value
    from drug_names

),

term_inputs as (

    select
        'term' as kind,
        pt_published as key,
        md5(
            {{ faers_encode('pt') }} || {{ faers_encode('reported_term') }} || {{ faers_encode('pt_code') }}
            || {{ faers_encode('soc') }} || {{ faers_encode('hlt_code') }} || {{ faers_encode('hlgt_code') }}
            || {{ faers_encode('term_status') }}
        ) as value
    from terms

),

logic_inputs as (

    select
        'logic' as kind,
        'case marts' as key,
        md5(
            '{{ logic_version }}'
            {%- for table in ['demo', 'drug', 'reac', 'outc', 'ther', 'indi'] %}
            || coalesce((select max(logic_version) from (
                select logic_version from {{ ref('stg_faers__' ~ table) }} limit 1
            ) as one_row), '-')
            {%- endfor %}
            || coalesce((
                select {{ faers_string_agg_sorted(faers_encode('name') ~ ' || ' ~ faers_encode('iso2'), ',') }}
                from countries
            ), '-')
        ) as value

),

inputs as (

    select * from quarter_inputs
    union all
    select * from drug_name_inputs
    union all
    select * from term_inputs
    union all
    select * from logic_inputs

)

select * from inputs
