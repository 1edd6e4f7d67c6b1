-- One row per FAERS case after deduplication (latest fda_dt per case_id, ties -> highest
-- primary_id; deleted cases removed): demographics in analyst units, seriousness and outcomes.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

outcomes as (

    select * from {{ ref('fct_case_outcome') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

outcomes_per_case as (

    select
        primary_id,
        string_agg(outc_cod, ',' order by outc_cod) as outcomes,
        bool_or(list_contains({{ var('serious_outcome_codes') }}, outc_cod)) as is_serious
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
