{#- Engine-specific functions behind adapter.dispatch: on DuckDB they are the Python UDFs that
    faers.udfs.register() puts on the connection (dbt-duckdb plugin faers.dbt_plugin). A second
    engine adds one `<adapter>__faers_*` implementation per function; every statistic macro stays
    plain SQL. -#}

{% macro faers_digamma(x) -%}
    {{ return(adapter.dispatch('faers_digamma')(x)) }}
{%- endmacro %}

{% macro default__faers_digamma(x) -%}
    digamma({{ x }})
{%- endmacro %}

{% macro faers_trigamma(x) -%}
    {{ return(adapter.dispatch('faers_trigamma')(x)) }}
{%- endmacro %}

{% macro default__faers_trigamma(x) -%}
    trigamma({{ x }})
{%- endmacro %}

{#- Guarded logarithm: NULL (not -inf) for a zero or negative argument. -#}
{% macro faers_safe_ln(x) -%}
    ln(case when ({{ x }}) > 0 then ({{ x }}) end)
{%- endmacro %}

{#- Woolf-type standard error sqrt(1/a + 1/b + 1/c + 1/d); NULL if a cell is zero. -#}
{% macro faers_log_se(a, b, c, d) -%}
    sqrt(
        1.0 / nullif(({{ a }})::double, 0) + 1.0 / nullif(({{ b }})::double, 0)
        + 1.0 / nullif(({{ c }})::double, 0) + 1.0 / nullif(({{ d }})::double, 0)
    )
{%- endmacro %}

{#- One call for every UDF-based statistic of a signals row: a STRUCT(ic025_quantile, ic975_quantile,
    psi1, psi2, qn, eb05, eb95) with the 2.5%/97.5% quantiles of Gamma(a + 0.5, rate e + 0.5) (the Noren
    IC limits), digamma(alpha1 + a), digamma(alpha2 + a), the MGPS posterior weight Qn of component 1
    and the 5%/95% quantiles of the MGPS posterior (faers.udfs.signal_udf_stats). The ic025/ic975 and
    ebgm/eb05/eb95 macros read their fields: one Python call per vector for all five statistics. -#}
{% macro faers_signal_udf_stats(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    {{ return(adapter.dispatch('faers_signal_udf_stats')(a, e, alpha1, beta1, alpha2, beta2, p)) }}
{%- endmacro %}

{% macro default__faers_signal_udf_stats(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    signal_udf_stats(
        {{ a }}, {{ e }}, {{ alpha1 }}, {{ beta1 }}, {{ alpha2 }}, {{ beta2 }}, {{ p }}
    )
{%- endmacro %}

{#- The select of faers_signal_udf_stats for every row of `counts` (a relation or CTE with distinct (a,
    expected)) with the one row of `prior` (alpha1, beta1, alpha2, beta2, p; a prior with no row gives NULL
    priors): columns a, expected, udf_stats. On DuckDB the rows reach Python in a few lists
    (signal_udf_stats_batch, faers.udfs), so one call computes them in slices on every core, rather than one
    call per 2,048-row vector on one core: the same function of the same values. -#}
{% macro faers_signal_udf_stats_by_count(counts, prior) -%}
    {{ return(adapter.dispatch('faers_signal_udf_stats_by_count')(counts, prior)) }}
{%- endmacro %}

{% macro default__faers_signal_udf_stats_by_count(counts, prior) -%}
    select
        counts.a,
        counts.expected,
        {{ faers_signal_udf_stats(
            'counts.a', 'counts.expected', 'prior.alpha1', 'prior.beta1', 'prior.alpha2', 'prior.beta2', 'prior.p'
        ) }} as udf_stats
    from {{ counts }} as counts
    left join {{ prior }} as prior
        on true
{%- endmacro %}

{% macro duckdb__faers_signal_udf_stats_by_count(counts, prior) -%}
    select
        batched.count_row.a,
        batched.count_row.expected,
        batched.udf_stats
    from (
        select
            -- two unnests of equally long lists in one select list pair up by position
            unnest(batches.counts) as count_row,
            unnest(signal_udf_stats_batch(
                batches.counts, prior.alpha1, prior.beta1, prior.alpha2, prior.beta2, prior.p
            )) as udf_stats
        from (
            select list({'a': a, 'expected': expected}) as counts
            from {{ counts }}
            group by hash(a, expected) % 64
        ) as batches
        left join {{ prior }} as prior
            on true
    ) as batched
{%- endmacro %}

{#- The stats struct a statistic macro reads: the column `stats` when the caller computed
    faers_signal_udf_stats(a, e, *prior) once in an earlier CTE (the signals mart, the golden gate),
    else the call itself, inline. Prior arguments none (the IC, which needs no prior) pass NULL. -#}
{% macro faers_signal_udf_stats_or(stats, a, e, alpha1=none, beta1=none, alpha2=none, beta2=none,
                                   p=none) -%}
    {%- if stats is not none -%}
        ({{ stats }})
    {%- else -%}
        {%- set prior = [alpha1, beta1, alpha2, beta2, p] | map('default', 'null::double', true) | list -%}
        ({{ faers_signal_udf_stats(a, e, *prior) }})
    {%- endif -%}
{%- endmacro %}
