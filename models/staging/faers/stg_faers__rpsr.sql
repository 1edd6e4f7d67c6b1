-- One row per raw RPSR row: the report source codes.
with

source as (

    select * from {{ source('faers', 'rpsr') }}

),

renamed as (

    select
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,

        ---------- strings
        {{ faers_code('rpsr_cod') }} as rpsr_cod,

        ---------- lineage
        quarter,
        source_file,
        line_number

    from source

)

select * from renamed
