-- drug_name_audit's counts (macro drug_name_counts) of the cases this build rewrites (int_case_mart_changes), over
-- their fct_case_drug rows as the mart holds them before the rewrite (read by name: fct_case_drug runs after this
-- model); what drug_name_audit subtracts when int_report_counts_method says 'delta'. Empty on 'full'.
{{ config(enabled=faers_case_marts_incremental()) }}
{%- if faers_report_counts_delta() %}
{{ drug_name_counts(faers_case_marts_before()['fct_case_drug']) }}
{%- else %}
select
    cast(null as varchar) as drug_name,
    cast(null as varchar) as ingredient,
    cast(null as varchar) as mapping_source,
    cast(null as bigint) as reports,
    cast(null as bigint) as n_rows
where false
{%- endif %}
