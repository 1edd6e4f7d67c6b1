-- One row per raw OUTC row (2012Q4 publishes the code as outc_code).
with

source as (

    select * from {{ source('faers', 'outc') }}

),

renamed as (

    select
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,

        ---------- strings
        {{ faers_code('coalesce(outc_cod, outc_code)') }} as outc_cod,

        ---------- lineage
        quarter,
        source_file,
        line_number

    from source

)

select * from renamed
