{#- FAERS dates are YYYYMMDD, or partial YYYYMM / YYYY (FDA ASC_NTS). DuckDB's cast rejects the
    compact form, so a full date goes through try_strptime, and only when it has exactly 8 digits.
    A date that is no calendar day, or falls outside [faers_min_date, faers_max_date], is NULL. -#}
{% macro faers_date(column) -%}
    case
        when length(trim({{ column }})) = 8
            and {{ faers_parse_yyyymmdd('trim(' ~ column ~ ')') }}
            between date '{{ var("faers_min_date") }}' and date '{{ var("faers_max_date") }}'
            then {{ faers_parse_yyyymmdd('trim(' ~ column ~ ')') }}
    end
{%- endmacro %}

{#- Precision of a FAERS date: 'day' (a valid full date), 'month' (valid YYYYMM), 'year' (valid
    YYYY); NULL when empty or impossible. The partial forms are kept as text in <column>_raw. -#}
{% macro faers_date_precision(column) -%}
    case
        when {{ faers_date(column) }} is not null then 'day'
        when length(trim({{ column }})) = 6
            and {{ faers_parse_yyyymmdd('trim(' ~ column ~ ") || '01'") }}
            between date_trunc('month', date '{{ var("faers_min_date") }}')
            and date '{{ var("faers_max_date") }}'
            then 'month'
        when length(trim({{ column }})) = 4
            and try_cast(trim({{ column }}) as integer)
            between year(date '{{ var("faers_min_date") }}') and year(date '{{ var("faers_max_date") }}')
            then 'year'
    end
{%- endmacro %}
