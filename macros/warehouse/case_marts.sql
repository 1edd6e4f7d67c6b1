{#- The kept reports' marts as macros over a relation of kept reports (`cases`: rows of
    int_cases_deduplicated's shape, i.e. of macro deduplicated_cases): the core marts call them with
    ref('int_cases_deduplicated') (the latest state), a study with its window's snapshot (analyses/study,
    study_asof_*). One definition of each mart; each model's header comment says what it holds. -#}

{#- case_outcome_rows(cases): fct_case_outcome -#}
{% macro case_outcome_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

outcomes as (

    select * from {{ ref('stg_faers__outc') }}

),

outcomes_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        outcomes.outc_cod
    from outcomes
    inner join cases
        on outcomes.quarter = cases.quarter
        and outcomes.primary_id = cases.primary_id
    where outcomes.outc_cod is not null

)

select * from outcomes_of_kept_reports
{%- endmacro %}

{#- case_drug_rows(cases): fct_case_drug -#}
{% macro case_drug_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

drugs as (

    select * from {{ ref('stg_faers__drug') }}

),

drug_names as (

    select * from {{ ref('int_drug_names_normalized') }}

),

drugs_of_kept_reports as (

    select
        ---------- ids
        cases.primary_id,
        cases.case_id,
        drugs.drug_seq,

        ---------- strings
        drugs.role_cod,
        drugs.drug_name,
        drugs.prod_ai,
        drug_names.drug,
        drug_names.mapping_source,
        drugs.route,
        drugs.dose_vbm,
        drugs.dose_amt,
        drugs.dose_unit,
        drugs.dose_form,
        drugs.dose_freq,
        drugs.dechal,
        drugs.rechal,
        drugs.val_vbm,
        drugs.cum_dose_chr,
        drugs.cum_dose_unit,
        drugs.lot_num,
        drugs.nda_num,

        ---------- dates
        drugs.exp_dt

    from drugs
    inner join cases
        on drugs.quarter = cases.quarter
        and drugs.primary_id = cases.primary_id
    left join drug_names
        on drugs.drug_name is not distinct from drug_names.drug_name
        and drugs.prod_ai is not distinct from drug_names.prod_ai

)

select * from drugs_of_kept_reports
{%- endmacro %}

{#- case_drug_ingredient_rows(case_drugs): fct_case_drug_ingredient, over rows of fct_case_drug's shape; `columns`:
    more columns of those rows carried onto each of their ingredients (macro suspect_drug_rows: a drug row's
    drug_name and prod_ai without joining the ingredients back to their rows) -#}
{% macro case_drug_ingredient_rows(case_drugs, columns=[]) -%}
with

drug_rows as (

    select * from {{ case_drugs }}

),

ingredients as (

    select
        primary_id,
        case_id,
        drug_seq,
        role_cod,
        {{ faers_unnest(faers_split('drug', '\\')) }} as ingredient,
        mapping_source
        {%- for column in columns if column not in ['primary_id', 'case_id', 'drug_seq', 'role_cod', 'mapping_source'] %},
        {{ column }}
        {%- endfor %}
    from drug_rows
    where drug is not null

)

select * from ingredients
{%- endmacro %}

{#- case_reaction_rows(cases): fct_case_reaction -#}
{% macro case_reaction_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

reactions as (

    select * from {{ ref('stg_faers__reac') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

reactions_of_kept_reports as (

    select
        cases.primary_id,
        cases.case_id,
        terms.pt,
        terms.reported_term,
        terms.pt_code,
        terms.soc,
        terms.hlt_code,
        terms.hlgt_code,
        terms.term_status,
        reactions.drug_rec_act
    from reactions
    inner join cases
        on reactions.quarter = cases.quarter
        and reactions.primary_id = cases.primary_id
    inner join terms
        on reactions.pt = terms.pt_published

),

collapsed as (

    select
        primary_id,
        case_id,
        pt,
        min(reported_term) as reported_term,
        any_value(pt_code) as pt_code,
        any_value(soc) as soc,
        any_value(hlt_code) as hlt_code,
        any_value(hlgt_code) as hlgt_code,
        min(term_status) as term_status,
        nullif({{ faers_join(faers_list_sorted_distinct(faers_list_agg('drug_rec_act', non_null=true)), ',') }}, '') as drug_rec_act
    from reactions_of_kept_reports
    group by primary_id, case_id, pt

)

select * from collapsed
{%- endmacro %}

{#- case_indication_rows(cases): fct_case_indication -#}
{% macro case_indication_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

indications as (

    select * from {{ ref('stg_faers__indi') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

indications_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        indications.drug_seq,
        terms.pt as indi_pt
    from indications
    inner join cases
        on indications.quarter = cases.quarter
        and indications.primary_id = cases.primary_id
    inner join terms
        on indications.indi_pt = terms.pt_published

)

select * from indications_of_kept_reports
{%- endmacro %}

{#- case_therapy_rows(cases): fct_case_therapy -#}
{% macro case_therapy_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

therapies as (

    select * from {{ ref('stg_faers__ther') }}

),

therapies_of_kept_reports as (

    select
        ---------- ids
        cases.primary_id,
        cases.case_id,
        therapies.drug_seq,

        ---------- strings
        therapies.start_dt_raw,
        therapies.start_dt_precision,
        therapies.end_dt_raw,
        therapies.end_dt_precision,
        therapies.dur_raw,
        therapies.dur_cod,

        ---------- numerics
        therapies.dur,

        ---------- dates
        therapies.start_dt,
        therapies.end_dt

    from therapies
    inner join cases
        on therapies.quarter = cases.quarter
        and therapies.primary_id = cases.primary_id

)

select * from therapies_of_kept_reports
{%- endmacro %}

{#- case_report_source_rows(cases): fct_case_report_source -#}
{% macro case_report_source_rows(cases) -%}
with

cases as (

    select * from {{ cases }}

),

report_sources as (

    select * from {{ ref('stg_faers__rpsr') }}

),

report_sources_of_kept_reports as (

    select distinct
        cases.primary_id,
        cases.case_id,
        report_sources.rpsr_cod
    from report_sources
    inner join cases
        on report_sources.quarter = cases.quarter
        and report_sources.primary_id = cases.primary_id
    where report_sources.rpsr_cod is not null

)

select * from report_sources_of_kept_reports
{%- endmacro %}

{#- case_rows(cases, outcomes): dim_case -#}
{% macro case_rows(cases, outcomes) -%}
with

cases as (

    select * from {{ cases }}

),

outcomes as (

    select * from {{ outcomes }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

outcomes_per_case as (

    select
        primary_id,
        {{ faers_string_agg_sorted('outc_cod', ',') }} as outcomes,
        bool_or({{ faers_list_contains(faers_list_literal(var('serious_outcome_codes')), 'outc_cod') }}) as is_serious
    from outcomes
    group by primary_id

),

country_names as (

    select
        upper(trim(name)) as country_name,
        upper(trim(iso2)) as iso2
    from countries

),

cases_enriched as (

    select
        ---------- ids
        cases.primary_id,
        cases.case_id,
        cases.quarter,
        cases.case_version,
        cases.i_f_code,
        cases.era,

        ---------- strings
        cases.sex,
        {{ age_group('cases.age_years') }} as age_group,
        coalesce(
            reporter_countries.iso2,
            case when length(cases.reporter_country_raw) = 2 then cases.reporter_country_raw end
        ) as reporter_country,
        cases.reporter_country_raw,
        coalesce(
            occurrence_countries.iso2,
            case when length(cases.occr_country_raw) = 2 then cases.occr_country_raw end
        ) as occr_country,
        cases.occp_cod,
        cases.rept_cod,
        cases.age_cod,
        cases.age_grp,
        cases.mfr_sndr,
        outcomes_per_case.outcomes,

        ---------- numerics
        cases.age_years,
        cases.weight_kg,
        year(cases.fda_dt)::integer as report_year,

        ---------- booleans
        coalesce(outcomes_per_case.is_serious, false) as is_serious,

        ---------- dates
        cases.fda_dt,
        cases.init_fda_dt,
        cases.event_dt,
        cases.event_dt_raw,
        cases.event_dt_precision

    from cases
    left join outcomes_per_case
        on cases.primary_id = outcomes_per_case.primary_id
    left join country_names as reporter_countries
        on cases.reporter_country_raw = reporter_countries.country_name
    left join country_names as occurrence_countries
        on cases.occr_country_raw = occurrence_countries.country_name

)

select * from cases_enriched
{%- endmacro %}


{#- The logic of every incremental case mart (macro faers_case_mart), rendered on placeholder relations: its
    md5 (faers_logic_version) changes when a mart macro, a macro it calls or a var it reads changes, and then
    every case mart is rewritten in full (int_case_mart_changes). Each incremental mart is listed here with
    the macro its model calls. -#}
{% macro faers_case_marts_logic() -%}
    {{ case_outcome_rows('kept_cases') }}
    {{ case_drug_rows('kept_cases') }}
    {{ case_drug_ingredient_rows('case_drugs') }}
    {{ case_reaction_rows('kept_cases') }}
    {{ case_indication_rows('kept_cases') }}
    {{ case_therapy_rows('kept_cases') }}
    {{ case_report_source_rows('kept_cases') }}
    {{ case_rows('kept_cases', 'case_outcomes') }}
    {{ tto_rows('case_rows', 'case_drugs', 'case_therapies') }}
{%- endmacro %}
