{#- Step a0 (temp table study_asof_cases). The study window as a snapshot: when the warehouse holds
    quarters after the study's last quarter (var study_as_of, set by `faers study`), the cases as FAERS
    published them up to that quarter (macro deduplicated_cases: the warehouse's own rule, restricted to
    the DEMO rows and deleted-case lists of quarters <= var('study_last_quarter')), kept when their
    retained version is in the window. One row per kept DEMO line (primary_id, case_id, quarter, source_file,
    line_number), not the line's columns: study_asof_rebuilt reads those of the few reports the marts do not
    hold, and copying them for every kept report cost more than the deduplication. A case followed up after the
    window counts with its in-window version; a case deleted after the window is still there. Without later quarters
    the snapshot is the marts' latest state and this step (like every study_asof_* step) is empty: the study reads
    the marts. -#}
{#- With var('study_reports_drug_only') (the population's margins and priors come from faers study's cache) only
    the cases some version of which, up to the window, names the study drug (any role; drug names as
    int_drug_names_normalized maps them, the same match as study_reports'): deduplication is per case, so their
    kept versions are those of the whole snapshot, and they hold every report of the study drug. -#}
{%- if var('study_as_of') or not execute %}
{%- set study_drug_cases = none %}
{#- (rendered at parse whatever the vars, so that its refs are recorded: faers.dbt.run_dbt parse_with_project_vars) #}
{%- if var('study_reports_drug_only') or not execute %}
{#- the matching names first, then their DRUG rows, then those reports' cases: each once (the macro reads the
    list of cases twice; DuckDB would otherwise join all DRUG rows to DEMO before the names) #}
with

study_drug_rows {{ faers_cte_as_materialized() }} (

    select drugs.quarter, drugs.primary_id
    from {{ ref('stg_faers__drug') }} as drugs
    semi join (
        select drug_names.drug_name, drug_names.prod_ai
        from {{ ref('int_drug_names_normalized') }} as drug_names
        where {{ study_drug_match('drug_names') }}
    ) as study_drug_names
        on drugs.drug_name is not distinct from study_drug_names.drug_name
        and drugs.prod_ai is not distinct from study_drug_names.prod_ai
    where drugs.quarter <= '{{ var("study_last_quarter") }}'

),

study_drug_cases {{ faers_cte_as_materialized() }} (

    select distinct reports.case_id
    from {{ ref('stg_faers__demo') }} as reports
    semi join study_drug_rows
        on reports.quarter = study_drug_rows.quarter
        and reports.primary_id = study_drug_rows.primary_id

)

{%- set study_drug_cases = 'study_drug_cases' %}
{%- endif %}
select *
from ({{ deduplicated_cases(
    last_quarter=var('study_last_quarter'), case_ids=study_drug_cases, lines_only=true
) }}) as cases_as_of
where quarter >= '{{ var("study_first_quarter") }}'
{%- else %}
select null::bigint as primary_id, null::varchar as quarter
where false
{%- endif %}
