{#- The whole select-list of statistic and flag columns of the signals mart, over column expressions
    a, b, c, d, e (expected) and prior = [alpha1, beta1, alpha2, beta2, p] column expressions (NULL
    prior -> NULL EBGM). A stratified model reuses it:
        select stratum, drug, pt, a, b, c, d, expected,
            {{ signal_columns(prior=['prior_alpha1', 'prior_beta1', 'prior_alpha2',
                                     'prior_beta2', 'prior_p']) }}
        from cells_with_prior
    The flags refer to the statistic columns by name (DuckDB's lateral column aliases), so each
    statistic, UDFs included, is computed once. Thresholds and variants are vars
    (dbt_project.yml).

    stats (optional): a column holding faers_signal_udf_stats(a, e, *prior) computed in an earlier
    CTE (see models/marts/signals/signals.sql), passed to the ic025/ic975 and ebgm/eb05/eb95 macros
    (one Python UDF call per vector for the five); without it they all read the same inline call
    faers_signal_udf_stats(a, e, *prior). -#}

{% macro signal_columns(a='a', b='b', c='c', d='d', e='expected',
                        prior=['alpha1', 'beta1', 'alpha2', 'beta2', 'p'], stats=none) -%}
    {%- if prior | length != 5 -%}
        {{ exceptions.raise_compiler_error(
            "signal_columns: prior must list 5 column expressions "
            ~ "[alpha1, beta1, alpha2, beta2, p]") }}
    {%- endif -%}
    {%- set alpha1, beta1, alpha2, beta2, p = prior -%}
    {%- set yates = var('chi2_yates') -%}
    {%- if stats is none -%}
        {%- set stats = faers_signal_udf_stats(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    {%- endif -%}
    {{ ror(a, b, c, d) }} as ror,
    {{ ror_lower(a, b, c, d) }} as ror_lower,
    {{ ror_upper(a, b, c, d) }} as ror_upper,
    {{ prr(a, b, c, d) }} as prr,
    {{ prr_lower(a, b, c, d) }} as prr_lower,
    {{ prr_upper(a, b, c, d) }} as prr_upper,
    {{ chi2(a, b, c, d, yates=yates) }} as chi2,
    {{ ic(a, e, b=b, c=c, d=d) }} as ic,
    {{ ic025(a, e, b=b, c=c, d=d, stats=stats) }} as ic025,
    {{ ic975(a, e, b=b, c=c, d=d, stats=stats) }} as ic975,
    {{ ebgm(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d, stats=stats) }} as ebgm,
    {{ eb05(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d, stats=stats) }} as eb05,
    {{ eb95(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d, stats=stats) }} as eb95,
    coalesce(
        ({{ a }}) >= {{ var('ror_min_a') }} and ror_lower > {{ var('ror_lower_threshold') }},
        false
    ) as ror_signal,
    coalesce(
        ({{ a }}) >= {{ var('prr_min_a') }}
        and prr >= {{ var('prr_threshold') }}
        and chi2 >= {{ var('prr_chi2_threshold') }},
        false
    ) as prr_signal,
    coalesce(ic025 > {{ var('ic025_threshold') }}, false) as ic_signal,
    coalesce(eb05 >= {{ var('eb05_threshold') }}, false) as ebgm_signal,
    ror_signal::integer + prr_signal::integer + ic_signal::integer + ebgm_signal::integer
        as n_methods
{%- endmacro %}
