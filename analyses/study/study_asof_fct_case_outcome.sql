{#- Step a (temp table study_asof_fct_case_outcome): fct_case_outcome of the window's snapshot for the snapshot's
    reports the marts do not hold in the same version (study_asof_rebuilt), by the mart's own macro;
    macro study_source adds the other reports' rows from the mart itself. Empty when the study reads the marts (no
    quarter after the window). -#}
{%- if var('study_as_of') or not execute %}
{{ case_outcome_rows(study_step('study_asof_rebuilt')) }}
{%- else %}
select null::bigint as primary_id
where false
{%- endif %}
