-- The cases the incremental case marts rewrite in this build (macro faers_case_mart): one row per case_id
-- with the reasons, or one row with case_id NULL when every case is rewritten. What the marts are built from now
-- against their records of the last build: int_cases_deduplicated against int_case_mart_cases_built, and
-- int_case_mart_inputs against int_case_mart_inputs_built:
--   version    the case's kept report or its quarter changed, or the case appeared or went away (a follow-up,
--              a deleted-case list, a quarter removed, as_of_quarter);
--   quarter    the kept report's quarter was loaded again (its typed rows may differ);
--   drug_name  a DRUG row of the kept report has a (drug_name, prod_ai) whose mapping changed;
--   term       a REAC or INDI row of the kept report has a term whose resolution changed;
--              only a pair or term on both sides is looked up: one that appeared is used by rows of the quarters
--              typed since the record only, whose cases are rewritten for their version or quarter anyway, and
--              one that went away is used by no row (an update's new names cost no scan of every DRUG row);
--   every case (case_id NULL): the marts' logic changed (reason 'logic'), or no record of what they were
--              built from exists (reason 'no record': a first build, or a warehouse built before the records).
-- The records are read by name, not ref: they are written after the marts, which read this model.
-- depends_on: {{ ref('int_case_mart_inputs') }}
-- depends_on: {{ ref('int_cases_deduplicated') }}
-- depends_on: {{ ref('int_drug_names_normalized') }}
-- depends_on: {{ ref('int_terms_resolved') }}
-- depends_on: {{ ref('stg_faers__drug') }}
-- depends_on: {{ ref('stg_faers__reac') }}
-- depends_on: {{ ref('stg_faers__indi') }}
{{ config(enabled=faers_case_marts_incremental()) }}
{%- set built = none %}
{%- set cases_built = none %}
{%- set changed_kinds = [] %}
{%- if execute %}
    {%- set built = faers_built_relation('int_case_mart_inputs_built') %}
    {%- set cases_built = faers_built_relation('int_case_mart_cases_built') %}
{%- endif %}
{%- if built is not none and cases_built is not none %}
    {%- set changed_lookups %}
        select distinct coalesce(inputs.kind, built.kind)
        from {{ ref('int_case_mart_inputs') }} as inputs
        full outer join {{ built }} as built
            on inputs.kind = built.kind
            and inputs.key = built.key
        where inputs.value is distinct from built.value
            and (coalesce(inputs.kind, built.kind) not in ('drug_name', 'term')
                or (inputs.key is not null and built.key is not null))
    {%- endset %}
    {%- set changed_kinds = run_query(changed_lookups).columns[0].values() | list %}
{%- endif %}

{%- if built is none or cases_built is none or 'logic' in changed_kinds %}
select
    cast(null as bigint) as case_id,
    '{{ "logic" if 'logic' in changed_kinds else "no record" }}' as reasons
{%- else %}
with

inputs as (

    select * from {{ ref('int_case_mart_inputs') }}

),

built as (

    select * from {{ built }}

),

cases_built as (

    select * from {{ cases_built }}

),

kept_cases as (

    select case_id, primary_id, quarter from {{ ref('int_cases_deduplicated') }}

),

changed as (

    select
        coalesce(inputs.kind, built.kind) as kind,
        coalesce(inputs.key, built.key) as key,
        inputs.key is not null and built.key is not null as on_both_sides
    from inputs
    full outer join built
        on inputs.kind = built.kind
        and inputs.key = built.key
    where inputs.value is distinct from built.value

),

version_changes as (

    select coalesce(kept_cases.case_id, cases_built.case_id) as case_id, 'version' as reason
    from kept_cases
    full outer join cases_built
        on kept_cases.case_id = cases_built.case_id
    where kept_cases.primary_id is distinct from cases_built.primary_id
        or kept_cases.quarter is distinct from cases_built.quarter

),

quarter_changes as (

    select kept_cases.case_id, 'quarter' as reason
    from kept_cases
    inner join changed
        on changed.kind = 'quarter'
        and kept_cases.quarter = changed.key

),
{%- if 'drug_name' in changed_kinds %}

changed_drug_names as (

    select drug_names.drug_name, drug_names.prod_ai
    from {{ ref('int_drug_names_normalized') }} as drug_names
    inner join changed
        on changed.kind = 'drug_name'
        and changed.on_both_sides
        and changed.key = {{ faers_encode('drug_names.drug_name') }} || {{ faers_encode('drug_names.prod_ai') }}

),

drug_name_changes as (

    select distinct kept_cases.case_id, 'drug_name' as reason
    from {{ ref('stg_faers__drug') }} as drugs
    inner join kept_cases
        on drugs.quarter = kept_cases.quarter
        and drugs.primary_id = kept_cases.primary_id
    inner join changed_drug_names
        on drugs.drug_name is not distinct from changed_drug_names.drug_name
        and drugs.prod_ai is not distinct from changed_drug_names.prod_ai

),
{%- endif %}
{%- if 'term' in changed_kinds %}

changed_terms as (

    select key as pt_published
    from changed
    where kind = 'term'
        and on_both_sides

),

term_changes as (

    select distinct kept_cases.case_id, 'term' as reason
    from (
        select quarter, primary_id, pt from {{ ref('stg_faers__reac') }}
        union all
        select quarter, primary_id, indi_pt as pt from {{ ref('stg_faers__indi') }}
    ) as terms_used
    inner join kept_cases
        on terms_used.quarter = kept_cases.quarter
        and terms_used.primary_id = kept_cases.primary_id
    inner join changed_terms
        on terms_used.pt = changed_terms.pt_published

),
{%- endif %}

all_changes as (

    select * from version_changes
    union all
    select * from quarter_changes
    {%- if 'drug_name' in changed_kinds %}
    union all
    select * from drug_name_changes
    {%- endif %}
    {%- if 'term' in changed_kinds %}
    union all
    select * from term_changes
    {%- endif %}

),

per_case as (

    select
        case_id,
        {{ faers_string_agg_sorted('reason', ',') }} as reasons
    from (select distinct case_id, reason from all_changes) as distinct_reasons
    group by case_id

)

select * from per_case
{%- endif %}
