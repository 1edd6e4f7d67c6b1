{#- Step 8 (temp table study_tto; needs study_drug_case_drugs, study_events): the tto mart filtered to
    the study: the study drug's reports (is_study_drug) whose onset row is a study-drug row (any of its names), crossed
    with their in-scope PTs. One row per (report, PT); the earliest start when several names of the drug have an
    onset. -#}
with

tto as (

    select * from {{ study_source('tto') }}

),

study_drug_case_drugs as (

    select * from {{ study_step('study_drug_case_drugs') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

study_drug_onsets as (

    select
        tto.primary_id,
        tto.case_id,
        tto.route,
        tto.tto_days,
        tto.tto_bin
    from tto
    -- a study-drug row of the study drug's reports (study_drug_case_drugs holds no other report)
    semi join study_drug_case_drugs
        on tto.primary_id = study_drug_case_drugs.primary_id
        and tto.drug_seq = study_drug_case_drugs.drug_seq
        and study_drug_case_drugs.is_study_drug_row
    qualify row_number() over (partition by tto.primary_id order by tto.start_dt asc, tto.drug_seq asc) = 1

),

onsets_per_pt as (

    select
        study_drug_onsets.primary_id,
        study_drug_onsets.case_id,
        study_events.pt,
        study_drug_onsets.route,
        study_drug_onsets.tto_days,
        study_drug_onsets.tto_bin
    from study_drug_onsets
    inner join study_events
        on study_drug_onsets.primary_id = study_events.primary_id
    where {{ study_pt_in_scope('study_events.pt') }}

)

select * from onsets_per_pt
