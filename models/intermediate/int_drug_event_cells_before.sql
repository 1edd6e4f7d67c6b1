-- drug_event_cells of the cases this build rewrites (int_case_mart_changes), counted over their rows as the case
-- marts hold them before the rewrite (read by name: the counted case marts run after this model), with the mart's
-- macro drug_event_cells_rows; what drug_event_cells subtracts when int_report_counts_method says 'delta'. Empty
-- on 'full'.
{{ config(enabled=faers_case_marts_incremental()) }}
{%- if faers_report_counts_delta() %}
{{ drug_event_cells_rows(faers_case_marts_before()) }}
{%- else %}
select
    cast(null as varchar) as drug,
    cast(null as varchar) as pt,
    cast(null as bigint) as a,
    cast(null as bigint) as b,
    cast(null as bigint) as c,
    cast(null as bigint) as d,
    cast(null as bigint) as n_drug,
    cast(null as bigint) as n_event,
    cast(null as bigint) as n,
    cast(null as double) as expected,
    cast(null as bigint) as a_co_suspect,
    cast(null as double) as mh_r,
    cast(null as double) as mh_s,
    cast(null as double) as mh_pr,
    cast(null as double) as mh_ps_qr,
    cast(null as double) as mh_qs
where false
{%- endif %}
