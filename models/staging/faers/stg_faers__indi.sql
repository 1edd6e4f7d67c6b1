-- One row per raw INDI row; LAERS drug_seq and FAERS indi_drug_seq both become drug_seq.
with

source as (

    select * from {{ source('faers', 'indi') }}

),

renamed as (

    select
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,
        {{ faers_id('coalesce(indi_drug_seq, drug_seq)') }} as drug_seq,

        ---------- strings
        {{ faers_text('indi_pt') }} as indi_pt,

        ---------- lineage
        quarter,
        source_file,
        line_number

    from source

)

select * from renamed
