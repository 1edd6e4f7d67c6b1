{#- Step a0 (temp table study_asof_cases). The study window as a snapshot: when the warehouse holds
    quarters after the study's last quarter (var study_as_of, set by `faers study`), the cases as FAERS
    published them up to that quarter (macro deduplicated_cases: the warehouse's own rule, restricted to
    the DEMO rows and deleted-case lists of quarters <= var('study_last_quarter')), kept when their
    retained version is in the window. A case followed up after the window counts with its in-window
    version; a case deleted after the window is still there. Without later quarters the snapshot is the
    marts' latest state and this step (like every study_asof_* step) is empty: the study reads the marts. -#}
{%- if var('study_as_of') or not execute %}
select *
from ({{ deduplicated_cases(last_quarter=var('study_last_quarter')) }}) as cases_as_of
where quarter >= '{{ var("study_first_quarter") }}'
{%- else %}
select null::bigint as primary_id, null::varchar as quarter
where false
{%- endif %}
