{#- The counts of drug_name_audit over rows of fct_case_drug's shape (`case_drugs`): per (raw drug_name,
    ingredient, mapping_source) the reports (distinct primary_id) and the DRUG rows (n_rows). The mart counts every
    kept report's rows; faers update counts the changed cases' rows before and after a build rewrites them
    (macro drug_name_counts_delta). -#}
{% macro drug_name_counts(case_drugs) -%}
    select
        drug_name,
        drug as ingredient,
        mapping_source,
        count(distinct primary_id) as reports,
        count(*) as n_rows
    from {{ case_drugs }} as case_drugs
    group by drug_name, drug, mapping_source
{%- endmacro %}

{#- drug_name_counts updated by report counts (macro faers_report_counts_delta): a report belongs to one case, so
    the counts over the kept reports now = `previous` (the counts the table holds) - `removed` (the changed
    cases' counts over their rows before this build) + `added` (their counts now). Grouped NULL-safe (a name,
    ingredient or source may be NULL); a name whose reports reach 0 is gone. -#}
{% macro drug_name_counts_delta(previous, removed, added) -%}
    select
        drug_name,
        ingredient,
        mapping_source,
        sum(sign * reports)::bigint as reports,
        sum(sign * n_rows)::bigint as n_rows
    from (
        select 1 as sign, drug_name, ingredient, mapping_source, reports, n_rows
        from {{ previous }} as previous_counts
        union all
        select -1 as sign, drug_name, ingredient, mapping_source, reports, n_rows
        from {{ removed }} as removed_counts
        union all
        select 1 as sign, drug_name, ingredient, mapping_source, reports, n_rows
        from {{ added }} as added_counts
    ) as signed_counts
    group by drug_name, ingredient, mapping_source
    having sum(sign * reports) > 0
{%- endmacro %}
