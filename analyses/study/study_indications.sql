{#- Step 1b (temp table study_indications; needs study_drug_case_drugs): the indications given for the study
    drug's own suspect rows in the study drug's reports (a row that counts as a suspect, macro is_suspect_drug_row,
    and names the study drug: the rows of study_drug_suspect_rows): one row per (report, indication PT). Read by the
    characteristics table (Table 3) and by the indication-bias flag of study_signals (a signal PT that is also the
    drug's indication in the same reports). -#}
with

study_drug_case_drugs as (

    select * from {{ study_step('study_drug_case_drugs') }}

),

case_indications as (

    select * from {{ study_source('fct_case_indication') }}

),

study_drug_rows as (

    select primary_id, drug_seq
    from study_drug_case_drugs
    where {{ is_suspect_drug_row('study_drug_case_drugs') }}
        and study_drug_case_drugs.is_study_drug_row

),

indications_of_the_drug as (

    select distinct
        study_drug_rows.primary_id,
        case_indications.indi_pt
    from study_drug_rows
    inner join case_indications
        on study_drug_rows.primary_id = case_indications.primary_id
        and study_drug_rows.drug_seq = case_indications.drug_seq
    where case_indications.indi_pt is not null

)

select * from indications_of_the_drug
