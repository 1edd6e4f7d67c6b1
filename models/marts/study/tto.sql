{#- Time to onset for every drug with a role in var('suspect_roles') in every deduplicated report.
    tto_days = event_dt - start_dt, from the THER row whose drug_seq is that drug row's drug_seq; both
    dates full and valid (the marts hold a DATE only for a valid 8-digit date), tto_days >= 0; the
    earliest start per report and drug. A study only filters this table, so the table's comment records
    the roles it was built with (faers study refuses a study whose suspect_roles differ). -#}
{{ config(post_hook="{{ faers_suspect_roles_comment() }}") }}

{{ faers_case_mart() }}
{{ tto_rows(
    faers_changed_cases(ref('dim_case')),
    faers_changed_cases(ref('fct_case_drug')),
    faers_changed_cases(ref('fct_case_therapy'))
) }}
