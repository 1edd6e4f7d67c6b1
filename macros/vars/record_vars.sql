{#- post_hook SQL recording in the model's table comment the suspect_roles it was built with
    ('suspect_roles=PS,SS'); faers.vars.built_suspect_roles reads it back for `faers study` (tto) and
    `faers report` (drug_event_cells), so Python readers use the build's roles, not the default. -#}
{% macro faers_suspect_roles_comment() -%}
    comment on table {{ this }} is 'suspect_roles={{ var("suspect_roles") | join(",") }}'
{%- endmacro %}
