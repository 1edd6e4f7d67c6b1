{#- Engine-specific functions behind adapter.dispatch: on DuckDB they are the Python UDFs that
    faers.udfs.register() puts on the connection (dbt-duckdb plugin faers.dbt_plugin). A second
    engine adds one `<adapter>__faers_*` implementation per function; every statistic macro stays
    plain SQL. -#}

{% macro faers_gamma_quantile(p, shape, rate) -%}
    {{ return(adapter.dispatch('faers_gamma_quantile')(p, shape, rate)) }}
{%- endmacro %}

{% macro default__faers_gamma_quantile(p, shape, rate) -%}
    gamma_quantile({{ p }}, {{ shape }}, {{ rate }})
{%- endmacro %}

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

{% macro faers_mgps_qn(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    {{ return(adapter.dispatch('faers_mgps_qn')(a, e, alpha1, beta1, alpha2, beta2, p)) }}
{%- endmacro %}

{% macro default__faers_mgps_qn(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    mgps_qn({{ a }}, {{ e }}, {{ alpha1 }}, {{ beta1 }}, {{ alpha2 }}, {{ beta2 }}, {{ p }})
{%- endmacro %}

{% macro faers_mgps_quantile(prob, a, e, alpha1, beta1, alpha2, beta2, p) -%}
    {{ return(adapter.dispatch('faers_mgps_quantile')(
        prob, a, e, alpha1, beta1, alpha2, beta2, p)) }}
{%- endmacro %}

{% macro default__faers_mgps_quantile(prob, a, e, alpha1, beta1, alpha2, beta2, p) -%}
    mgps_quantile(
        {{ prob }}, {{ a }}, {{ e }}, {{ alpha1 }}, {{ beta1 }}, {{ alpha2 }}, {{ beta2 }}, {{ p }}
    )
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
    psi1, psi2, qn, eb05, eb95) whose fields equal gamma_quantile(0.025|0.975, a + 0.5, e + 0.5),
    digamma(alpha1 + a), digamma(alpha2 + a), mgps_qn(...) and mgps_quantile(0.05|0.95, ...). Used by
    signal_columns(stats=...): one Python call per vector instead of seven. -#}
{% macro faers_signal_udf_stats(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    {{ return(adapter.dispatch('faers_signal_udf_stats')(a, e, alpha1, beta1, alpha2, beta2, p)) }}
{%- endmacro %}

{% macro default__faers_signal_udf_stats(a, e, alpha1, beta1, alpha2, beta2, p) -%}
    signal_udf_stats(
        {{ a }}, {{ e }}, {{ alpha1 }}, {{ beta1 }}, {{ alpha2 }}, {{ beta2 }}, {{ p }}
    )
{%- endmacro %}
