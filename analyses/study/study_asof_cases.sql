{#- Step a0 (temp table study_asof_cases). The study window as a snapshot: when the warehouse holds
    quarters after the study's last quarter (var study_as_of, set by `faers study`), the cases as FAERS
    published them up to that quarter (macro deduplicated_cases: the warehouse's own rule, restricted to
    the DEMO rows and deleted-case lists of quarters <= var('study_last_quarter')), kept when their
    retained version is in the window. A case followed up after the window counts with its in-window
    version; a case deleted after the window is still there. Without later quarters the snapshot is the
    marts' latest state and this step (like every study_asof_* step) is empty: the study reads the marts. -#}
{#- With var('study_reports_drug_only') (the population's margins and priors come from faers study's cache) only
    the cases some version of which, up to the window, names the study drug (any role; drug names as
    int_drug_names_normalized maps them, the same match as study_reports'): deduplication is per case, so their
    kept versions are those of the whole snapshot, and they hold every report of the study drug. -#}
{%- if var('study_as_of') or not execute %}
{%- set study_drug_cases = none %}
{#- (rendered at parse whatever the vars, so that its refs are recorded: faers.dbt.run_dbt parse_with_project_vars) #}
{%- if var('study_reports_drug_only') or not execute %}
{%- set study_drug_cases %}(
    select distinct reports.case_id
    from {{ ref('stg_faers__drug') }} as drugs
    inner join {{ ref('int_drug_names_normalized') }} as drug_names
        on drugs.drug_name is not distinct from drug_names.drug_name
        and drugs.prod_ai is not distinct from drug_names.prod_ai
    inner join {{ ref('stg_faers__demo') }} as reports
        on drugs.quarter = reports.quarter
        and drugs.primary_id = reports.primary_id
    where drugs.quarter <= '{{ var("study_last_quarter") }}'
        and {{ study_drug_match('drug_names') }}
){%- endset %}
{%- endif %}
select *
from ({{ deduplicated_cases(last_quarter=var('study_last_quarter'), case_ids=study_drug_cases) }}) as cases_as_of
where quarter >= '{{ var("study_first_quarter") }}'
{%- else %}
select null::bigint as primary_id, null::varchar as quarter
where false
{%- endif %}
