{#- Incremental report counts (`faers update`): drug_event_cells and drug_name_audit hold counts over the kept
    reports only (cells: a, a_co_suspect, n_drug, n_event, N; the audit: reports and rows per raw drug name), and
    each report belongs to exactly one case. So when a build rewrites some cases of the case marts
    (int_case_mart_changes), the counts over every kept report are the previous table's, minus the counts of those
    cases' rows as the marts held them before the build, plus the counts of their rows now: exact, with the
    aggregate's one counting macro run on the changed cases' rows (drug_event_cells_rows, drug_name_counts).
      int_report_counts_method     decides, before the case marts are rewritten: 'delta', or 'full' with the reason
                                   (macro faers_report_counts_full_reason);
      int_drug_event_cells_before  the changed cases' cells, over their rows as the case marts hold them before the
      int_drug_name_audit_before   rewrite (the marts read by name; the counted marts wait for these models);
      drug_event_cells, drug_name_audit  previous - before + now on 'delta', counted over every report on 'full';
      int_report_counts_built      written after both: the counting logic they were built with.
    On engines without DELETE (Spark) there are no incremental case marts: the aggregates are counted in full. -#}

{#- The case marts the report counts read (their old rows are captured before they are rewritten). -#}
{% macro faers_counted_case_marts() -%}
    {{ return(['fct_case_drug', 'fct_case_drug_ingredient', 'fct_case_reaction']) }}
{%- endmacro %}

{#- The relation a model of this project was last built to, read by name (not ref: no dependency), or none when
    it does not exist. -#}
{% macro faers_built_relation(model_name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- The counting rules of the report-count aggregates, rendered on placeholder relations: its md5
    (faers_logic_version) is what int_report_counts_built records, so a change of a counting macro or of a var
    they read (suspect_roles, drug_unit, ...) makes the next build count in full. -#}
{% macro faers_report_counts_logic() -%}
    {{ drug_event_cells_rows({
        'fct_case_drug': 'case_drugs',
        'fct_case_drug_ingredient': 'case_drug_ingredients',
        'fct_case_reaction': 'case_reactions',
        'dim_case': 'cases',
    }) }}
    {{ drug_name_counts('case_drugs') }}
{%- endmacro %}

{#- `marts` (a dict of name -> relation of the case marts) restricted to the rows of the cases this build rewrites
    (int_case_mart_changes). -#}
{% macro faers_changed_case_marts(marts) -%}
    {%- set restricted = {} -%}
    {%- for name, relation in marts.items() -%}
        {%- do restricted.update({name: '(select * from ' ~ relation ~ ' where case_id in (select case_id from '
            ~ ref('int_case_mart_changes') ~ '))'}) -%}
    {%- endfor -%}
    {{ return(restricted) }}
{%- endmacro %}

{#- The case marts as they are before this build rewrites them (read by name), restricted to the changed cases. -#}
{% macro faers_case_marts_before() -%}
    {%- set marts = {} -%}
    {%- for name in faers_counted_case_marts() + ['dim_case'] -%}
        {%- do marts.update({name: faers_built_relation(name)}) -%}
    {%- endfor -%}
    {{ return(faers_changed_case_marts(marts)) }}
{%- endmacro %}

{#- Why this build counts the report-count aggregates in full, or none when it updates them by the changed cases'
    counts (rendered when int_report_counts_method runs, before the case marts are rewritten):
      'full refresh'  dbt --full-refresh;
      'adjusted'      var expected_strata or background_exclude_drugs (their E is not a sum over reports);
      'no record'     int_report_counts_built, an aggregate or a counted case mart does not exist (a first build);
      'logic'         the counting logic differs from the one the aggregates were built with;
      'every case'    the case marts are rewritten in full (int_case_mart_changes: case_id NULL);
      'later build'   the aggregates cannot be known to match the case marts: the last build that wrote
                      int_report_counts_built (with both aggregates) is followed by a build that ran a counted case
                      mart or an aggregate, or that did not finish (killed: audit.builds says so, not what it ran). -#}
{% macro faers_report_counts_full_reason() -%}
    {%- if flags.FULL_REFRESH -%}
        {{ return('full refresh') }}
    {%- endif -%}
    {%- if var('expected_strata') or background_exclude_names() -%}
        {{ return('adjusted') }}
    {%- endif -%}
    {%- set record = faers_built_relation('int_report_counts_built') -%}
    {%- if record is none -%}
        {{ return('no record') }}
    {%- endif -%}
    {%- for name in faers_counted_case_marts() + ['drug_event_cells', 'drug_name_audit'] -%}
        {%- if faers_built_relation(name) is none -%}
            {{ return('no record') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set same_logic -%}
        select coalesce((select logic_version from {{ record }} limit 1)
            = '{{ faers_logic_version(faers_report_counts_logic()) }}', false)
    {%- endset -%}
    {%- if not run_query(same_logic).columns[0].values()[0] -%}
        {{ return('logic') }}
    {%- endif -%}
    {%- set every_case = "select count(*) from " ~ ref('int_case_mart_changes') ~ " where case_id is null" -%}
    {%- if run_query(every_case).columns[0].values()[0] > 0 -%}
        {{ return('every case') }}
    {%- endif -%}
    {%- set build_nodes = adapter.get_relation(database=target.database, schema='audit', identifier='build_nodes') -%}
    {%- if build_nodes is none -%}
        {{ return('later build') }}
    {%- endif -%}
    {#- the models whose success in one build makes its record, and those a later build must not have run -#}
    {%- set recorded_ids = [] -%}
    {%- for name in ['drug_event_cells', 'drug_name_audit', 'int_report_counts_built'] -%}
        {%- do recorded_ids.append("'model." ~ project_name ~ "." ~ name ~ "'") -%}
    {%- endfor -%}
    {%- set changing_ids = recorded_ids[:] -%}
    {%- for name in faers_counted_case_marts() -%}
        {%- do changing_ids.append("'model." ~ project_name ~ "." ~ name ~ "'") -%}
    {%- endfor -%}
    {%- set recorded -%}
        with

        record_build as (

            select max(build_id) as build_id
            from (
                select build_id
                from {{ build_nodes }}
                where status = 'success'
                    and unique_id in ({{ recorded_ids | join(', ') }})
                group by build_id
                having count(*) = {{ recorded_ids | length }}
            ) as complete_records

        ),

        later_builds as (

            select builds.build_id
            from audit.builds as builds
            cross join record_build
            where builds.build_id > record_build.build_id
                and builds.invocation_id <> '{{ invocation_id }}'
                and (
                    builds.status not in ('complete', 'failed')
                    or builds.build_id in (
                        select build_id
                        from {{ build_nodes }}
                        where unique_id in ({{ changing_ids | join(', ') }})
                            and status <> 'skipped'
                    )
                )

        )

        select
            (select build_id from record_build) is not null
            and not exists (select 1 from later_builds)
    {%- endset -%}
    {%- if not run_query(recorded).columns[0].values()[0] -%}
        {{ return('later build') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- True when this run of an aggregate updates it by the changed cases' counts: int_report_counts_method decided
    'delta' in this very invocation (a method row of an earlier build, or an aggregate run without it, counts in
    full; so does a dbt unit test). `before` is the aggregate's model of the changed cases' old counts: referenced here, with
    int_case_mart_changes, so that the aggregate depends on them whatever is decided. False on Spark. -#}
{% macro faers_report_counts_delta(before=none) -%}
    {#- a dbt unit test of an aggregate gives its inputs (the case marts): it tests the counting rule, in full -#}
    {%- if not faers_case_marts_incremental() or model.resource_type == 'unit_test' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set method = ref('int_report_counts_method') -%}
    {%- set changes = ref('int_case_mart_changes') -%}
    {%- if before is not none -%}
        {%- set before_relation = ref(before) -%}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {#- an aggregate selected without int_report_counts_method on a warehouse that never had it (built before
        it existed, or a warehouse of case marts alone): nothing decided 'delta', so it counts in full -#}
    {%- if adapter.get_relation(database=method.database, schema=method.schema, identifier=method.identifier) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set decided -%}
        select count(*) from {{ method }} where method = 'delta' and invocation_id = '{{ invocation_id }}'
    {%- endset -%}
    {{ return(run_query(decided).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Config of a counted case mart (fct_case_drug, fct_case_drug_ingredient, fct_case_reaction): it is rewritten
    only after the report counts captured its changed cases' old rows. -#}
{% macro faers_counted_case_mart() -%}
    {%- if faers_case_marts_incremental() -%}
        {%- do ref('int_drug_event_cells_before') -%}
        {%- do ref('int_drug_name_audit_before') -%}
    {%- endif -%}
{%- endmacro %}
