{#- Step 1a (temp table study_drug_case_drugs; needs study_reports): every drug row of the study drug's reports
    (is_study_drug), any role, as the study reads fct_case_drug (macro study_source), with is_study_drug_row: the row
    names the study drug (macro study_drug_match, any of its names). study_indications and study_tto read the drug's
    own rows from it, study_co_suspects the others: the mart is read, and its names matched, once and on these rows
    only (a filter on the mart's rows is otherwise evaluated on all of them before the join to the reports: DuckDB
    pushes it below the join, and a past window's study_source, a union, passes no join filter down to the scan). -#}
with

study_drug_reports as (

    select primary_id
    from {{ study_step('study_reports') }}
    where is_study_drug

),

case_drugs as (

    select case_drug_rows.*
    from {{ study_source('fct_case_drug') }} as case_drug_rows
    semi join study_drug_reports
        on case_drug_rows.primary_id = study_drug_reports.primary_id

)

select
    case_drugs.*,
    {{ study_drug_match('case_drugs') }} as is_study_drug_row
from case_drugs
