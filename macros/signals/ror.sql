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

{#- Mantel-Haenszel ROR over strata s (var expected_strata) with the Robins, Breslow & Greenland (1986)
    95% interval, from per-cell sums over the strata (drug_event_cells, all NULL without strata):
        r = sum a_s d_s / N_s,  s = sum b_s c_s / N_s,  ROR_MH = r / s,
        var ln ROR_MH = pr / (2 r^2) + ps_qr / (2 r s) + qs / (2 s^2)
    with P_s = (a_s + d_s) / N_s, Q_s = (b_s + c_s) / N_s: pr = sum P_s R_s, ps_qr = sum (P_s S_s + Q_s R_s),
    qs = sum Q_s S_s. NULL when s is 0; the limits also when r is 0. -#}
{% macro ror_mh(r, s) -%}
    (({{ r }}) / nullif(({{ s }}), 0))
{%- endmacro %}

{% macro _ror_mh_limit(r, s, pr, ps_qr, qs, sign, z) -%}
    exp(
        {{ faers_safe_ln(ror_mh(r, s)) }} {{ sign }} {{ z }} * sqrt(
            ({{ pr }}) / (2 * ({{ r }}) * ({{ r }}))
            + ({{ ps_qr }}) / (2 * ({{ r }}) * nullif(({{ s }}), 0))
            + ({{ qs }}) / (2 * nullif(({{ s }}), 0) * ({{ s }}))
        )
    )
{%- endmacro %}

{% macro ror_mh_lower(r, s, pr, ps_qr, qs, z=var('z_975')) -%}
    {{ _ror_mh_limit(r, s, pr, ps_qr, qs, '-', z) }}
{%- endmacro %}

{% macro ror_mh_upper(r, s, pr, ps_qr, qs, z=var('z_975')) -%}
    {{ _ror_mh_limit(r, s, pr, ps_qr, qs, '+', z) }}
{%- endmacro %}
