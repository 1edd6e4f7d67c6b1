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
    CTE (see models/marts/signals/signals.sql). With the default variants (ic 'noren', ebgm 'mgps') the
    IC limits and EBGM/EB05/EB95 then read its fields: the same values, one Python UDF call per vector
    instead of seven. Other variants ignore it. -#}

{% macro signal_columns(a='a', b='b', c='c', d='d', e='expected',
                        prior=['alpha1', 'beta1', 'alpha2', 'beta2', 'p'], stats=none) -%}
    {%- if prior | length != 5 -%}
        {{ exceptions.raise_compiler_error(
            "signal_columns: prior must list 5 column expressions "
            ~ "[alpha1, beta1, alpha2, beta2, p]") }}
    {%- endif -%}
    {%- set alpha1, beta1, alpha2, beta2, p = prior -%}
    {%- set yates = var('chi2_yates') -%}
    {{ ror(a, b, c, d) }} as ror,
    {{ ror_lower(a, b, c, d) }} as ror_lower,
    {{ ror_upper(a, b, c, d) }} as ror_upper,
    {{ prr(a, b, c, d) }} as prr,
    {{ prr_lower(a, b, c, d) }} as prr_lower,
    {{ prr_upper(a, b, c, d) }} as prr_upper,
    {{ chi2(a, b, c, d, yates=yates) }} as chi2,
    {{ ic(a, e, b=b, c=c, d=d) }} as ic,
    {%- if stats is not none and var('ic_variant') == 'noren' %}
    log2(({{ stats }}).ic025_quantile) as ic025,
    log2(({{ stats }}).ic975_quantile) as ic975,
    {%- else %}
    {{ ic025(a, e, b=b, c=c, d=d) }} as ic025,
    {{ ic975(a, e, b=b, c=c, d=d) }} as ic975,
    {%- endif %}
    {%- if stats is not none and var('ebgm_variant') == 'mgps' %}
    exp(
        (({{ stats }}).psi2 - ln(({{ beta2 }}) + ({{ e }})))
        + ({{ stats }}).qn * (
            (({{ stats }}).psi1 - ln(({{ beta1 }}) + ({{ e }})))
            - (({{ stats }}).psi2 - ln(({{ beta2 }}) + ({{ e }})))
        )
    ) as ebgm,
    ({{ stats }}).eb05 as eb05,
    ({{ stats }}).eb95 as eb95,
    {%- else %}
    {{ ebgm(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d) }} as ebgm,
    {{ eb05(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d) }} as eb05,
    {{ eb95(a, e, alpha1, beta1, alpha2, beta2, p, b=b, c=c, d=d) }} as eb95,
    {%- endif %}
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
