{#- Reporting odds ratio ad/(bc) and its Woolf (1955) 95% interval
    exp(ln ROR -+ z sqrt(1/a + 1/b + 1/c + 1/d)) (Rothman, Lanes & Sacks 2004; van Puijenbroek et
    al. 2002). Arguments are column names or SQL expressions; each macro returns an expression. A
    zero b or c (or d, for the interval) gives NULL, never inf/NaN. See _signals__macros.yml. -#}

{% macro ror(a, b, c, d) -%}
    (({{ a }})::double * ({{ d }})) / nullif(({{ b }})::double * ({{ c }}), 0)
{%- endmacro %}

{% macro ror_lower(a, b, c, d, z=var('z_975')) -%}
    exp({{ faers_safe_ln(ror(a, b, c, d)) }} - {{ z }} * {{ faers_log_se(a, b, c, d) }})
{%- endmacro %}

{% macro ror_upper(a, b, c, d, z=var('z_975')) -%}
    exp({{ faers_safe_ln(ror(a, b, c, d)) }} + {{ z }} * {{ faers_log_se(a, b, c, d) }})
{%- endmacro %}
