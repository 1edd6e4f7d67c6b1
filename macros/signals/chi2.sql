{#- Pearson chi-square of the 2x2 table, as R's chisq.test (Evans, Waller & Davis 2001 use it with
    Yates' correction for the PRR rule):
        N (|ad - bc| - k)^2 / ((a+b)(c+d)(a+c)(b+d)),  k = min(N/2, |ad - bc|) with Yates, else 0.
    R caps the correction at |ad - bc|, so the corrected statistic is 0, never "over-corrected".
    NULL if a margin is zero. yates is a compile-time boolean. -#}

{% macro chi2(a, b, c, d, yates=true) -%}
    {%- if yates not in (true, false) -%}
        {%- do validate_vars() -%}  {#- a bad var chi2_yates: its own message first -#}
        {{ exceptions.raise_compiler_error("chi2: yates must be true or false, got " ~ yates) }}
    {%- endif -%}
    {%- set n -%}(({{ a }}) + ({{ b }}) + ({{ c }}) + ({{ d }}))::double{%- endset -%}
    {%- set diff -%}abs(({{ a }})::double * ({{ d }}) - ({{ b }})::double * ({{ c }})){%- endset -%}
    {%- set numerator -%}
        {%- if yates -%}greatest({{ diff }} - {{ n }} / 2.0, 0.0){%- else -%}{{ diff }}{%- endif -%}
    {%- endset -%}
    (
        {{ n }} * {{ numerator }} * {{ numerator }}
        / nullif(
            (({{ a }}) + ({{ b }}))::double * (({{ c }}) + ({{ d }}))
            * (({{ a }}) + ({{ c }}))::double * (({{ b }}) + ({{ d }})),
            0
        )
    )
{%- endmacro %}
