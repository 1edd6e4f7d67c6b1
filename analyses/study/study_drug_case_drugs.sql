{#- Step 1a (temp table study_drug_case_drugs; needs study_reports): every drug row of the study drug's reports
    (is_study_drug), any role, as the study reads fct_case_drug (macro study_source; the columns its readers use),
    with is_study_drug_row: the row names the study drug (macro study_drug_match, any of its names).
    study_indications and study_tto read the drug's own rows from it, study_co_suspects the others: the mart is
    read, and its names matched, once and on these rows only (a filter on the mart's rows is otherwise evaluated on
    all of them before the join to the reports: DuckDB pushes it below the join, and a past window's study_source,
    a union, passes no join filter down to the scan). -#}
with

study_drug_reports as (

    select primary_id
    from {{ study_step('study_reports') }}
    where is_study_drug

),

-- the columns the readers use (macro suspect_drug_rows and case_drug_ingredient_rows for the co-suspects, the keys,
-- the role and the names): the scan reads them for every row of the mart, so its other columns stay unread (on all
-- of FAERS 1.3-1.6 s against 2.6-2.9 s for every column)
case_drugs as (

    select
        case_drug_rows.primary_id,
        case_drug_rows.case_id,
        case_drug_rows.drug_seq,
        case_drug_rows.role_cod,
        case_drug_rows.drug,
        case_drug_rows.drug_name,
        case_drug_rows.prod_ai,
        case_drug_rows.mapping_source
    from {{ study_source('fct_case_drug') }} as case_drug_rows
    semi join study_drug_reports
        on case_drug_rows.primary_id = study_drug_reports.primary_id

)

select
    case_drugs.*,
    {{ study_drug_match('case_drugs') }} as is_study_drug_row
from case_drugs
