{#- Proportional reporting ratio (a/(a+b)) / (c/(c+d)) and its 95% interval
    exp(ln PRR -+ z sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d))) (Evans, Waller & Davis 2001). A zero c
    gives NULL (the ratio and its interval are undefined), never inf/NaN. -#}

{% macro prr(a, b, c, d) -%}
    (({{ a }})::double * (({{ c }}) + ({{ d }})))
    / nullif((({{ a }}) + ({{ b }}))::double * ({{ c }}), 0)
{%- endmacro %}

{% macro _prr_log_se(a, b, c, d) -%}
    sqrt(
        1.0 / nullif(({{ a }})::double, 0) - 1.0 / nullif((({{ a }}) + ({{ b }}))::double, 0)
        + 1.0 / nullif(({{ c }})::double, 0) - 1.0 / nullif((({{ c }}) + ({{ d }}))::double, 0)
    )
{%- endmacro %}

{% macro prr_lower(a, b, c, d, z=var('z_975')) -%}
    exp({{ faers_safe_ln(prr(a, b, c, d)) }} - {{ z }} * {{ _prr_log_se(a, b, c, d) }})
{%- endmacro %}

{% macro prr_upper(a, b, c, d, z=var('z_975')) -%}
    exp({{ faers_safe_ln(prr(a, b, c, d)) }} + {{ z }} * {{ _prr_log_se(a, b, c, d) }})
{%- endmacro %}
