{#- The report-level 2x2 table from a pair count and its margins, defined once for the signals mart and
    the study's stratified cells: emits the select-list a, b, c, d, n_drug, n_event, n, expected.
    a = reports with the drug and the event, n_drug = reports with the drug (a + b), n_event = reports
    with the event (a + c), n = reports counted (N); E = n_drug * n_event / N. -#}
{% macro contingency_cells(a, n_drug, n_event, n) -%}
        {{ a }} as a,
        {{ n_drug }} - {{ a }} as b,
        {{ n_event }} - {{ a }} as c,
        {{ n }} - {{ n_drug }} - {{ n_event }} + {{ a }} as d,
        {{ n_drug }} as n_drug,
        {{ n_event }} as n_event,
        {{ n }} as n,
        {{ n_drug }}::double * {{ n_event }} / {{ n }} as expected
{%- endmacro %}
