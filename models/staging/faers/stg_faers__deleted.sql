-- One row per line of FDA's deleted-case lists (2019Q1 onward). They name case ids, FAERS and legacy.
with

source as (

    select * from {{ source('faers', 'deleted') }}

),

renamed as (

    select
        ---------- ids
        {{ faers_id('caseid') }} as case_id,

        ---------- lineage
        quarter,
        source_file,
        line_number

    from source

)

select * from renamed
