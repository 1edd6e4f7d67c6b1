{#- Step a (temp table study_asof_tto): tto of the window's snapshot, by the mart's own macro over the snapshot's
    dim_case, fct_case_drug and fct_case_therapy (macro study_source), for every report of the snapshot: unlike the
    other case marts, tto depends on the study's var('suspect_roles'), which may differ from the build's, so macro
    study_source reads this step alone for it. Empty when the study reads the marts (no quarter after the window). -#}
{%- if var('study_as_of') or not execute %}
{{ tto_rows(study_source('dim_case'), study_source('fct_case_drug'), study_source('fct_case_therapy')) }}
{%- else %}
select null::bigint as primary_id
where false
{%- endif %}
