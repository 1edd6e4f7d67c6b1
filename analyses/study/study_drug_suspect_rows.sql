{#- Step 0 (temp table study_drug_suspect_rows): the study drug's suspect rows: the fct_case_drug rows (as the study
    reads the mart, macro study_source) that count as suspects (macro is_suspect_drug_row) and name the study drug (macro
    study_drug_match), as (primary_id, drug_seq), the mart's grain. Their reports are the study drug's reports
    (study_reports' is_study_drug). The names are matched here once, and the later steps join on these keys; with
    var('study_reports_drug_only') study_events and study_reports read only these reports. -#}
with

case_drugs as (

    select * from {{ study_source('fct_case_drug') }}

)

select
    primary_id,
    drug_seq
from case_drugs
where {{ is_suspect_drug_row('case_drugs') }}
    and {{ study_drug_match('case_drugs') }}
