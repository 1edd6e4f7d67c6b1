{#- Step a (temp table study_asof_dim_case): dim_case of the window's snapshot (study_asof_cases), by the
    mart's own macro; empty when the study reads the marts (no quarter after the window). -#}
{%- if var('study_as_of') or not execute %}
{{ case_rows(study_step('study_asof_cases'), study_step('study_asof_fct_case_outcome')) }}
{%- else %}
select null::bigint as primary_id
where false
{%- endif %}
