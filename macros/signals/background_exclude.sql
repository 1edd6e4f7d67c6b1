{#- The masked drugs of var background_exclude_drugs as one list: the ingredient names in lower case,
    trimmed, de-duplicated and sorted. drug_event_cells_query masks their reports; mgps_prior records them
    (joined with commas). -#}
{% macro background_exclude_names() -%}
    {{ return(var('background_exclude_drugs') | map('lower') | map('trim') | unique | sort | list) }}
{%- endmacro %}
