-- Time to onset of each (drug, report) for the explorer: the tto mart's rows whose drug row is one of the
-- report's suspect rows of the drug (macro suspect_drug_rows: an ingredient of a combination counts, as in
-- the signals), the earliest start when several rows of the drug have an onset (the rule `faers study`
-- applies to its drug, analyses/study/study_tto.sql). One row per (drug, primary_id).
{{ config(materialized='table') }}

with

tto as (

    select * from {{ ref('tto') }}

),

suspect_rows as (

    {{ suspect_drug_rows(columns=['drug_seq']) }}

),

onsets_of_the_drug as (

    select
        suspect_rows.drug,
        tto.primary_id,
        tto.drug_seq,
        tto.start_dt,
        tto.tto_days,
        tto.tto_bin
    from tto
    inner join suspect_rows
        on tto.primary_id = suspect_rows.primary_id
        and tto.drug_seq = suspect_rows.drug_seq
    qualify row_number() over (
        partition by suspect_rows.drug, tto.primary_id
        order by tto.start_dt asc, tto.drug_seq asc
    ) = 1

)

select
    drug,
    primary_id,
    drug_seq,
    start_dt,
    tto_days,
    tto_bin,
    {{ tto_bin_order('tto_bin') }} as tto_bin_order
from onsets_of_the_drug
