{#- Portable SQL: the few constructs whose syntax differs between DuckDB (default__, the project's
    behaviour unchanged) and Spark SQL (spark__), each behind adapter.dispatch so that models and the other
    macros stay one set of files. Text arguments are SQL expressions unless named *_text (a Jinja string:
    a separator, a regular expression). docs/architecture.md lists them. -#}

{#- A string literal of `text`. DuckDB reads a backslash as itself; Spark's parser reads it as an escape,
    so it is doubled there (and a quote escaped). -#}
{% macro faers_string(text) -%}
    {{ return(adapter.dispatch('faers_string')(text)) }}
{%- endmacro %}

{% macro default__faers_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__faers_string(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- regexp_replace of every match (RE2 / Java regex: the project's patterns mean the same in both).
    `replacement_text` refers to groups as \1, \2 (RE2); Spark (Java) spells them $1, $2. -#}
{% macro faers_regexp_replace_all(expr, pattern_text, replacement_text) -%}
    {{ return(adapter.dispatch('faers_regexp_replace_all')(expr, pattern_text, replacement_text)) }}
{%- endmacro %}

{% macro default__faers_regexp_replace_all(expr, pattern_text, replacement_text) -%}
    regexp_replace({{ expr }}, {{ faers_string(pattern_text) }}, {{ faers_string(replacement_text) }}, 'g')
{%- endmacro %}

{% macro spark__faers_regexp_replace_all(expr, pattern_text, replacement_text) -%}
    {%- set ns = namespace(text=replacement_text | replace('$', '\\$')) -%}
    {%- for group in range(10) -%}
        {%- set ns.text = ns.text | replace('\\' ~ group, '$' ~ group) -%}
    {%- endfor -%}
    regexp_replace({{ expr }}, {{ faers_string(pattern_text) }}, {{ faers_string(ns.text) }})
{%- endmacro %}

{#- true when `expr` contains a match of `pattern_text`. -#}
{% macro faers_regexp_matches(expr, pattern_text) -%}
    {{ return(adapter.dispatch('faers_regexp_matches')(expr, pattern_text)) }}
{%- endmacro %}

{% macro default__faers_regexp_matches(expr, pattern_text) -%}
    regexp_matches({{ expr }}, {{ faers_string(pattern_text) }})
{%- endmacro %}

{% macro spark__faers_regexp_matches(expr, pattern_text) -%}
    ({{ expr }} rlike {{ faers_string(pattern_text) }})
{%- endmacro %}

{#- Group `group` of the first match of `pattern_text` in `expr` ('' when none). -#}
{% macro faers_regexp_extract(expr, pattern_text, group) -%}
    regexp_extract({{ expr }}, {{ faers_string(pattern_text) }}, {{ group }})
{%- endmacro %}

{#- The list of the parts of `expr` between occurrences of the separator `separator_text` (a plain string). -#}
{% macro faers_split(expr, separator_text) -%}
    {{ return(adapter.dispatch('faers_split')(expr, separator_text)) }}
{%- endmacro %}

{% macro default__faers_split(expr, separator_text) -%}
    string_split({{ expr }}, {{ faers_string(separator_text) }})
{%- endmacro %}

{% macro spark__faers_split(expr, separator_text) -%}
    {#- split takes a regular expression: the separator quoted literally (\Q...\E) -#}
    split({{ expr }}, {{ faers_string('\\Q' ~ separator_text ~ '\\E') }})
{%- endmacro %}

{#- The elements of a list joined by `separator_text` (NULL elements skipped). -#}
{% macro faers_join(list_expr, separator_text) -%}
    {{ return(adapter.dispatch('faers_join')(list_expr, separator_text)) }}
{%- endmacro %}

{% macro default__faers_join(list_expr, separator_text) -%}
    array_to_string({{ list_expr }}, {{ faers_string(separator_text) }})
{%- endmacro %}

{% macro spark__faers_join(list_expr, separator_text) -%}
    array_join({{ list_expr }}, {{ faers_string(separator_text) }})
{%- endmacro %}

{#- Number of elements of a list; 0 for NULL. -#}
{% macro faers_list_length(list_expr) -%}
    {{ return(adapter.dispatch('faers_list_length')(list_expr)) }}
{%- endmacro %}

{% macro default__faers_list_length(list_expr) -%}
    coalesce(len({{ list_expr }}), 0)
{%- endmacro %}

{% macro spark__faers_list_length(list_expr) -%}
    coalesce(size(coalesce({{ list_expr }}, array())), 0)
{%- endmacro %}

{#- Higher-order list functions. `params` is the lambda's parameter (or 'x, i': element and its
    position, counted from faers_list_first_position()). -#}
{% macro faers_lambda(params, body) -%}
    {{ return(adapter.dispatch('faers_lambda')(params, body)) }}
{%- endmacro %}

{% macro default__faers_lambda(params, body) -%}
    lambda {{ params }}: {{ body }}
{%- endmacro %}

{% macro spark__faers_lambda(params, body) -%}
    {#- Spark takes a single parameter bare, several in parentheses -#}
    {{ ('(' ~ params ~ ')') if ',' in params else params }} -> {{ body }}
{%- endmacro %}

{% macro faers_list_first_position() -%}
    {{ return(adapter.dispatch('faers_list_first_position')()) }}
{%- endmacro %}

{% macro default__faers_list_first_position() -%}1{%- endmacro %}

{% macro spark__faers_list_first_position() -%}0{%- endmacro %}

{% macro faers_list_transform(list_expr, params, body) -%}
    {{ return(adapter.dispatch('faers_list_transform')(list_expr, params, body)) }}
{%- endmacro %}

{% macro default__faers_list_transform(list_expr, params, body) -%}
    list_transform({{ list_expr }}, {{ faers_lambda(params, body) }})
{%- endmacro %}

{% macro spark__faers_list_transform(list_expr, params, body) -%}
    transform({{ list_expr }}, {{ faers_lambda(params, body) }})
{%- endmacro %}

{% macro faers_list_filter(list_expr, params, body) -%}
    {{ return(adapter.dispatch('faers_list_filter')(list_expr, params, body)) }}
{%- endmacro %}

{% macro default__faers_list_filter(list_expr, params, body) -%}
    list_filter({{ list_expr }}, {{ faers_lambda(params, body) }})
{%- endmacro %}

{% macro spark__faers_list_filter(list_expr, params, body) -%}
    filter({{ list_expr }}, {{ faers_lambda(params, body) }})
{%- endmacro %}

{#- true when `body` holds for every element. -#}
{% macro faers_list_all(list_expr, params, body) -%}
    {{ return(adapter.dispatch('faers_list_all')(list_expr, params, body)) }}
{%- endmacro %}

{% macro default__faers_list_all(list_expr, params, body) -%}
    list_bool_and(list_transform({{ list_expr }}, {{ faers_lambda(params, body) }}))
{%- endmacro %}

{% macro spark__faers_list_all(list_expr, params, body) -%}
    forall({{ list_expr }}, {{ faers_lambda(params, body) }})
{%- endmacro %}

{% macro faers_list_contains(list_expr, value) -%}
    {{ return(adapter.dispatch('faers_list_contains')(list_expr, value)) }}
{%- endmacro %}

{% macro default__faers_list_contains(list_expr, value) -%}
    list_contains({{ list_expr }}, {{ value }})
{%- endmacro %}

{% macro spark__faers_list_contains(list_expr, value) -%}
    array_contains({{ list_expr }}, {{ value }})
{%- endmacro %}

{% macro faers_list_has_any(list_expr, other_expr) -%}
    {{ return(adapter.dispatch('faers_list_has_any')(list_expr, other_expr)) }}
{%- endmacro %}

{% macro default__faers_list_has_any(list_expr, other_expr) -%}
    list_has_any({{ list_expr }}, {{ other_expr }})
{%- endmacro %}

{% macro spark__faers_list_has_any(list_expr, other_expr) -%}
    coalesce(arrays_overlap({{ list_expr }}, {{ other_expr }}), false)
{%- endmacro %}

{#- The distinct non-NULL elements of a list, sorted. -#}
{% macro faers_list_sorted_distinct(list_expr) -%}
    {{ return(adapter.dispatch('faers_list_sorted_distinct')(list_expr)) }}
{%- endmacro %}

{% macro default__faers_list_sorted_distinct(list_expr) -%}
    list_sort(list_distinct({{ list_expr }}))
{%- endmacro %}

{% macro spark__faers_list_sorted_distinct(list_expr) -%}
    array_sort(array_compact(array_distinct({{ list_expr }})))
{%- endmacro %}

{#- Flatten a list of lists. -#}
{% macro faers_flatten(list_expr) -%}
    flatten({{ list_expr }})
{%- endmacro %}

{#- A list literal of Jinja strings (e.g. a var). -#}
{% macro faers_list_literal(values) -%}
    {{ return(adapter.dispatch('faers_list_literal')(values)) }}
{%- endmacro %}

{% macro default__faers_list_literal(values) -%}
    [{% for value in values %}{{ faers_string(value) }}{{ ', ' if not loop.last }}{% endfor %}]::varchar[]
{%- endmacro %}

{% macro spark__faers_list_literal(values) -%}
    cast(array({% for value in values %}{{ faers_string(value) }}{{ ', ' if not loop.last }}{% endfor %}) as array<string>)
{%- endmacro %}

{#- Aggregate: the list of `expr`, distinct and sorted when asked (the callers' values are never NULL;
    DuckDB keeps NULLs, Spark leaves them out). With `order_by` (an expression, unique per row, never NULL):
    the list of every `expr`, NULLs kept, in the order of `order_by` (a dense vector indexed by it).
    With `non_null` (not with `order_by`): the non-NULL values only on both engines (NULL on DuckDB, [] on Spark, when there are
    none); DuckDB then builds no list for a group of NULLs, much cheaper when most values are NULL. -#}
{% macro faers_list_agg(expr, distinct=false, sorted=false, order_by=none, non_null=false) -%}
    {%- if non_null and order_by is not none -%}
        {{ exceptions.raise_compiler_error("faers_list_agg: non_null is for a list without order_by") }}
    {%- endif -%}
    {{ return(adapter.dispatch('faers_list_agg')(expr, distinct, sorted, order_by, non_null)) }}
{%- endmacro %}

{% macro default__faers_list_agg(expr, distinct=false, sorted=false, order_by=none, non_null=false) -%}
    {%- if order_by is not none -%}
    list({{ expr }} order by {{ order_by }})
    {%- else -%}
    list({{ 'distinct ' if distinct }}{{ expr }}{{ (' order by ' ~ expr) if sorted }})
    {%- endif -%}
    {{- (' filter (where ' ~ expr ~ ' is not null)') if non_null }}
{%- endmacro %}

{#- collect_list / collect_set skip NULLs: non_null needs nothing more here -#}
{% macro spark__faers_list_agg(expr, distinct=false, sorted=false, order_by=none, non_null=false) -%}
    {%- if order_by is not none -%}
    {#- collect_list skips NULLs, not a struct holding one: (key, value) pairs sorted by key, then the values -#}
    transform(
        array_sort(
            collect_list(named_struct('k', {{ order_by }}, 'v', {{ expr }})),
            {{ faers_lambda('faers_l, faers_r', 'case when faers_l.k < faers_r.k then -1 when faers_l.k > faers_r.k then 1 else 0 end') }}
        ),
        {{ faers_lambda('faers_e', 'faers_e.v') }}
    )
    {%- else -%}
    {%- set collected = ('collect_set(' if distinct else 'collect_list(') ~ expr ~ ')' -%}
    {{ ('array_sort(' ~ collected ~ ')') if sorted else collected }}
    {%- endif -%}
{%- endmacro %}

{#- The element at 1-based `position` of a list. -#}
{% macro faers_list_element(list_expr, position) -%}
    {{ return(adapter.dispatch('faers_list_element')(list_expr, position)) }}
{%- endmacro %}

{% macro default__faers_list_element(list_expr, position) -%}
    {{ list_expr }}[{{ position }}]
{%- endmacro %}

{% macro spark__faers_list_element(list_expr, position) -%}
    element_at({{ list_expr }}, {{ position }})
{%- endmacro %}

{#- The dot product of two lists of numbers of the same length (a double). -#}
{% macro faers_list_dot_product(list_expr, other_expr) -%}
    {{ return(adapter.dispatch('faers_list_dot_product')(list_expr, other_expr)) }}
{%- endmacro %}

{% macro default__faers_list_dot_product(list_expr, other_expr) -%}
    list_dot_product({{ list_expr }}, {{ other_expr }})
{%- endmacro %}

{% macro spark__faers_list_dot_product(list_expr, other_expr) -%}
    aggregate(
        zip_with({{ list_expr }}, {{ other_expr }}, {{ faers_lambda('faers_x, faers_y', 'faers_x * faers_y') }}),
        cast(0 as double),
        {{ faers_lambda('faers_sum, faers_term', 'faers_sum + faers_term') }}
    )
{%- endmacro %}

{#- Aggregate: the sum of a non-negative double `expr` whose total stays below 2^29, as the same double on every
    run. sum() adds doubles in the order a parallel aggregate meets the rows, so its last digits can differ
    between two runs of one query. Here each term is scaled by 2^96 to an integer (exactly, for every term of
    at least 2^-44; a smaller one is rounded to a multiple of 2^-96) and the integers are added exactly, in any
    order (HUGEINT on DuckDB, DECIMAL(38, 0) on Spark: 2^29 * 2^96 = 2^125 fits both; a larger total is an
    overflow error on DuckDB and on Spark in its default ANSI mode, not a wrong number), then scaled back. -#}
{% macro faers_fixed_point_sum(expr) -%}
    {{ return(adapter.dispatch('faers_fixed_point_sum')(expr)) }}
{%- endmacro %}

{% macro default__faers_fixed_point_sum(expr) -%}
    sum((({{ expr }}) * power(2, 96))::hugeint)::double / power(2, 96)
{%- endmacro %}

{% macro spark__faers_fixed_point_sum(expr) -%}
    cast(sum(cast(({{ expr }}) * power(2, 96) as decimal(38, 0))) as double) / power(2, 96)
{%- endmacro %}

{#- Aggregate: a MAP from `key` to `value` over the rows (an empty map when there are none). -#}
{% macro faers_map_agg(key, value) -%}
    {{ return(adapter.dispatch('faers_map_agg')(key, value)) }}
{%- endmacro %}

{% macro default__faers_map_agg(key, value) -%}
    coalesce(map(list({{ key }} order by {{ key }}), list({{ value }} order by {{ key }})), map())
{%- endmacro %}

{% macro spark__faers_map_agg(key, value) -%}
    map_from_entries(collect_list(struct({{ key }}, {{ value }})))
{%- endmacro %}

{#- Aggregate: the values of `expr` joined by `separator_text` in ascending order. -#}
{% macro faers_string_agg_sorted(expr, separator_text) -%}
    {{ return(adapter.dispatch('faers_string_agg_sorted')(expr, separator_text)) }}
{%- endmacro %}

{#- the sorted list of the non-NULL values joined: the text of string_agg(expr, sep order by expr) (NULL when
    there is none), without the per-group sort of an ordered aggregate (about a third of its CPU in dim_case) -#}
{% macro default__faers_string_agg_sorted(expr, separator_text) -%}
    array_to_string(list_sort({{ faers_list_agg(expr, non_null=true) }}), {{ faers_string(separator_text) }})
{%- endmacro %}

{% macro spark__faers_string_agg_sorted(expr, separator_text) -%}
    nullif(array_join(array_sort(collect_list({{ expr }})), {{ faers_string(separator_text) }}), '')
{%- endmacro %}

{#- Aggregate: `value` of the row with the smallest (keys...) tuple. -#}
{% macro faers_arg_min(value, keys) -%}
    {{ return(adapter.dispatch('faers_arg_min')(value, keys)) }}
{%- endmacro %}

{% macro default__faers_arg_min(value, keys) -%}
    arg_min({{ value }}, ({{ keys | join(', ') }}))
{%- endmacro %}

{% macro spark__faers_arg_min(value, keys) -%}
    min_by({{ value }}, struct({{ keys | join(', ') }}))
{%- endmacro %}

{#- One row per element of a list (in a select list). -#}
{% macro faers_unnest(list_expr) -%}
    {{ return(adapter.dispatch('faers_unnest')(list_expr)) }}
{%- endmacro %}

{% macro default__faers_unnest(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{% macro spark__faers_unnest(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}

{#- Every column of `relation_expr` but `columns` (select * exclude / except). -#}
{% macro faers_star_except(columns) -%}
    {{ return(adapter.dispatch('faers_star_except')(columns)) }}
{%- endmacro %}

{% macro default__faers_star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__faers_star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{#- A compact YYYYMMDD text as a DATE; NULL when it is no calendar day. -#}
{% macro faers_parse_yyyymmdd(expr) -%}
    {{ return(adapter.dispatch('faers_parse_yyyymmdd')(expr)) }}
{%- endmacro %}

{% macro default__faers_parse_yyyymmdd(expr) -%}
    try_strptime({{ expr }}, '%Y%m%d')::date
{%- endmacro %}

{% macro spark__faers_parse_yyyymmdd(expr) -%}
    case when {{ expr }} rlike '^[0-9]{8}$' then try_to_date({{ expr }}, 'yyyyMMdd') end
{%- endmacro %}

{#- true for a number that is neither infinite nor NaN (NULL for NULL). -#}
{% macro faers_isfinite(expr) -%}
    {{ return(adapter.dispatch('faers_isfinite')(expr)) }}
{%- endmacro %}

{% macro default__faers_isfinite(expr) -%}
    isfinite({{ expr }})
{%- endmacro %}

{% macro spark__faers_isfinite(expr) -%}
    ({{ expr }} not in (double('inf'), double('-inf')) and not isnan({{ expr }}))
{%- endmacro %}

{#- Days from date `start` to date `end`. -#}
{% macro faers_days_between(start, end) -%}
    {{ return(adapter.dispatch('faers_days_between')(start, end)) }}
{%- endmacro %}

{% macro default__faers_days_between(start, end) -%}
    date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}

{% macro spark__faers_days_between(start, end) -%}
    datediff({{ end }}, {{ start }})
{%- endmacro %}

{#- Integer division rounding down (both operands integers; the callers' are never negative). -#}
{% macro faers_int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('faers_int_div')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__faers_int_div(numerator, denominator) -%}
    ({{ numerator }} // {{ denominator }})
{%- endmacro %}

{% macro spark__faers_int_div(numerator, denominator) -%}
    ({{ numerator }} div {{ denominator }})
{%- endmacro %}

{#- A row number from 1 in no particular order (an id): DuckDB numbers the rows as they stream; Spark's
    row_number needs an order, `order_by`. -#}
{% macro faers_row_id(order_by) -%}
    {{ return(adapter.dispatch('faers_row_id')(order_by)) }}
{%- endmacro %}

{% macro default__faers_row_id(order_by) -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__faers_row_id(order_by) -%}
    row_number() over (order by {{ order_by }})
{%- endmacro %}

{#- The distinct values of `column` in `relation` (a name or a CTE), each with an integer id `id_name` (faers_row_id):
    the signals cells and the study cells number drugs and PTs once and work on integers after. -#}
{% macro faers_value_ids(column, relation, id_name) -%}
    select
        {{ column }},
        ({{ faers_row_id(column) }})::integer as {{ id_name }}
    from (select distinct {{ column }} from {{ relation }})
{%- endmacro %}

{#- What follows a CTE's name: DuckDB computes a `materialized` CTE once for all its readers; Spark SQL has
    no such hint (it plans the CTE where it is read). -#}
{% macro faers_cte_as_materialized() -%}
    {{ return(adapter.dispatch('faers_cte_as_materialized')()) }}
{%- endmacro %}

{% macro default__faers_cte_as_materialized() -%}
    as materialized
{%- endmacro %}

{% macro spark__faers_cte_as_materialized() -%}
    as
{%- endmacro %}

{#- What follows a CTE's name when it is cheaper to compute where it is read than to keep: DuckDB otherwise
    materializes a CTE with two readers (`not materialized`: each reader scans its source again); Spark SQL
    always plans the CTE where it is read. -#}
{% macro faers_cte_as_not_materialized() -%}
    {{ return(adapter.dispatch('faers_cte_as_not_materialized')()) }}
{%- endmacro %}

{% macro default__faers_cte_as_not_materialized() -%}
    as not materialized
{%- endmacro %}

{% macro spark__faers_cte_as_not_materialized() -%}
    as
{%- endmacro %}
