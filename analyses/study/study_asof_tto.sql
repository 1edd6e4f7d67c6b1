{#- Step a (temp table study_asof_tto): tto of the window's snapshot (study_asof_cases), by the
    mart's own macro; empty when the study reads the marts (no quarter after the window). -#}
{%- if var('study_as_of') or not execute %}
{{ tto_rows(study_step('study_asof_dim_case'), study_step('study_asof_fct_case_drug'), study_step('study_asof_fct_case_therapy')) }}
{%- else %}
select null::bigint as primary_id
where false
{%- endif %}
