-- One row per raw REAC row: the MedDRA preferred term as published (trimmed).
-- The canonical spelling across eras (legacy UPPER vs mixed case) is chosen in intermediate.
with

source as (

    select * from {{ source('faers', 'reac') }}

),

renamed as (

    select
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,

        ---------- strings
        {{ faers_text('pt') }} as pt,
        {{ faers_code('drug_rec_act') }} as drug_rec_act,

        ---------- lineage
        quarter,
        source_file,
        line_number

    from source

)

select * from renamed
