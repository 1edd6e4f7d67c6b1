{#- Information component (BCPNN), variant chosen by var('ic_variant') or the variant argument:

    'noren'         (default) shrinkage IC = log2((a + 0.5) / (E + 0.5)); ic025/ic975 = log2 of the
                    2.5%/97.5% quantiles of Gamma(shape a + 0.5, rate E + 0.5) (Noren, Hopstadius &
                    Bate 2013, Stat Methods Med Res 22:57), exact (gamma_quantile UDF).
    'noren_approx'  same IC, closed-form limits IC - 3.3(a+.5)^-1/2 - 2(a+.5)^-3/2 and
                    IC + 2.4(a+.5)^-1/2 - 0.5(a+.5)^-3/2 (same paper).
    'bate'          classic BCPNN (Bate et al. 1998, Eur J Clin Pharmacol 54:315), beta priors with
                    alpha = beta = 1, gamma11 = 1, its variance approximation, normal limits.
    'gould'         same priors, exact log-moments by digamma/trigamma (Gould 2003,
                    Pharmacoepidemiol Drug Saf 12:559; PhViD BCPNN with MC = FALSE), normal
                    limits.
    'table2'        the simplified formula many FAERS papers print: IC = log2(aN / ((a+b)(a+c))) and
                    ic025/ic975 = exp(ln IC -+ z sqrt(1/a + 1/b + 1/c + 1/d)) (NULL when IC <= 0).

    'bate', 'gould' and 'table2' need b, c and d as well (keyword arguments). -#}

{% macro _ic_check(name, variant, b, c, d) -%}
    {%- set variants = faers_var_rules()['ic_variant']['values'] -%}
    {%- if variant not in variants -%}
        {%- do validate_vars() -%}  {#- a bad var ic_variant: its own message first -#}
        {{ exceptions.raise_compiler_error(
            name ~ ": ic_variant must be one of " ~ variants | join(', ') ~ ", got " ~ variant) }}
    {%- endif -%}
    {%- if variant in ('bate', 'gould', 'table2') and (b is none or c is none or d is none) -%}
        {{ exceptions.raise_compiler_error(
            name ~ ": the '" ~ variant ~ "' IC needs b=, c= and d= besides a and e") }}
    {%- endif -%}
{%- endmacro %}

{#- Bate 1998: E(IC) and V(IC) with C = N, c_i = a + b, c_j = a + c. -#}
{% macro _ic_bate_terms(a, b, c, d) -%}
    {%- set n -%}(({{ a }}) + ({{ b }}) + ({{ c }}) + ({{ d }}))::double{%- endset -%}
    {%- set ci -%}(({{ a }}) + ({{ b }}))::double{%- endset -%}
    {%- set cj -%}(({{ a }}) + ({{ c }}))::double{%- endset -%}
    {%- set g -%}
        (({{ n }} + 2.0) * ({{ n }} + 2.0) / (({{ ci }} + 1.0) * ({{ cj }} + 1.0)))
    {%- endset -%}
    {%- set mean -%}
        log2(
            (({{ a }}) + 1.0) * ({{ n }} + 2.0) * ({{ n }} + 2.0)
            / (({{ n }} + {{ g }}) * ({{ ci }} + 1.0) * ({{ cj }} + 1.0))
        )
    {%- endset -%}
    {%- set variance -%}
        (
            ({{ n }} - ({{ a }}) + {{ g }} - 1.0) / ((({{ a }}) + 1.0) * (1.0 + {{ n }} + {{ g }}))
            + ({{ n }} - {{ ci }} + 1.0) / (({{ ci }} + 1.0) * (3.0 + {{ n }}))
            + ({{ n }} - {{ cj }} + 1.0) / (({{ cj }} + 1.0) * (3.0 + {{ n }}))
        ) / (ln(2.0) * ln(2.0))
    {%- endset -%}
    {{ return({'mean': mean, 'variance': variance}) }}
{%- endmacro %}

{#- Gould 2003 / PhViD: p1 = 1 + n_drug, p2 = 1 + N - n_drug, q1 = 1 + n_event,
    q2 = 1 + N - n_event, r1 = 1 + a, r2b = N - a - 1 + (2 + N)^2 / (q1 p1). -#}
{% macro _ic_gould_terms(a, b, c, d) -%}
    {%- set n -%}(({{ a }}) + ({{ b }}) + ({{ c }}) + ({{ d }}))::double{%- endset -%}
    {%- set p1 -%}(1.0 + ({{ a }}) + ({{ b }})){%- endset -%}
    {%- set p2 -%}(1.0 + {{ n }} - ({{ a }}) - ({{ b }})){%- endset -%}
    {%- set q1 -%}(1.0 + ({{ a }}) + ({{ c }})){%- endset -%}
    {%- set q2 -%}(1.0 + {{ n }} - ({{ a }}) - ({{ c }})){%- endset -%}
    {%- set r1 -%}(1.0 + ({{ a }})){%- endset -%}
    {%- set r2 -%}
        ({{ n }} - ({{ a }}) - 1.0 + (2.0 + {{ n }}) * (2.0 + {{ n }}) / ({{ q1 }} * {{ p1 }}))
    {%- endset -%}
    {%- set mean -%}
        (
            {{ faers_digamma(r1) }} - {{ faers_digamma(r1 ~ ' + ' ~ r2) }}
            - (
                {{ faers_digamma(p1) }} - {{ faers_digamma(p1 ~ ' + ' ~ p2) }}
                + {{ faers_digamma(q1) }} - {{ faers_digamma(q1 ~ ' + ' ~ q2) }}
            )
        ) / ln(2.0)
    {%- endset -%}
    {%- set variance -%}
        (
            {{ faers_trigamma(r1) }} - {{ faers_trigamma(r1 ~ ' + ' ~ r2) }}
            + {{ faers_trigamma(p1) }} - {{ faers_trigamma(p1 ~ ' + ' ~ p2) }}
            + {{ faers_trigamma(q1) }} - {{ faers_trigamma(q1 ~ ' + ' ~ q2) }}
        ) / (ln(2.0) * ln(2.0))
    {%- endset -%}
    {{ return({'mean': mean, 'variance': variance}) }}
{%- endmacro %}

{% macro ic(a, e, b=none, c=none, d=none, variant=var('ic_variant')) -%}
    {{- _ic_check('ic', variant, b, c, d) -}}
    {%- if variant in ('noren', 'noren_approx') -%}
        log2((({{ a }}) + 0.5) / (({{ e }}) + 0.5))
    {%- elif variant == 'table2' -%}
        log2(({{ a }})::double / nullif(({{ e }}), 0))
    {%- elif variant == 'bate' -%}
        {{ _ic_bate_terms(a, b, c, d)['mean'] }}
    {%- else -%}
        {{ _ic_gould_terms(a, b, c, d)['mean'] }}
    {%- endif -%}
{%- endmacro %}

{% macro _ic_limit(a, e, b, c, d, variant, lower, z) -%}
    {%- set sign = '-' if lower else '+' -%}
    {%- if variant == 'noren' -%}
        log2({{ faers_gamma_quantile(
            '0.025' if lower else '0.975', '(' ~ a ~ ') + 0.5', '(' ~ e ~ ') + 0.5') }})
    {%- elif variant == 'noren_approx' -%}
        {%- set k1, k3 = (3.3, 2.0) if lower else (2.4, 0.5) -%}
        (
            {{ ic(a, e, variant='noren') }}
            {{ sign }} {{ k1 }} * pow(({{ a }}) + 0.5, -0.5)
            - {{ k3 }} * pow(({{ a }}) + 0.5, -1.5)
        )
    {%- elif variant == 'table2' -%}
        exp(
            {{ faers_safe_ln(ic(a, e, b, c, d, variant='table2')) }}
            {{ sign }} {{ z }} * {{ faers_log_se(a, b, c, d) }}
        )
    {%- else -%}
        {%- if variant == 'bate' -%}
            {%- set terms = _ic_bate_terms(a, b, c, d) -%}
        {%- else -%}
            {%- set terms = _ic_gould_terms(a, b, c, d) -%}
        {%- endif -%}
        ({{ terms['mean'] }} {{ sign }} {{ z }} * sqrt({{ terms['variance'] }}))
    {%- endif -%}
{%- endmacro %}

{% macro ic025(a, e, b=none, c=none, d=none, variant=var('ic_variant'), z=var('z_975')) -%}
    {{- _ic_check('ic025', variant, b, c, d) -}}
    {{ _ic_limit(a, e, b, c, d, variant, true, z) }}
{%- endmacro %}

{% macro ic975(a, e, b=none, c=none, d=none, variant=var('ic_variant'), z=var('z_975')) -%}
    {{- _ic_check('ic975', variant, b, c, d) -}}
    {{ _ic_limit(a, e, b, c, d, variant, false, z) }}
{%- endmacro %}
