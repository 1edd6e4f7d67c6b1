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
