-- One row per published spelling of a MedDRA term (REAC pt and INDI indi_pt, all eras), with its
-- canonical spelling. Terms match case-insensitively (and ignoring repeated blanks): legacy LAERS
-- terms are UPPER CASE, FAERS terms mixed case (FDA FAQ Q7). Canonical spelling of a term: the
-- most frequent mixed-case spelling when one exists (MedDRA's own form), else the most frequent
-- spelling; ties go to the alphabetically first, so the choice is deterministic.
with

reactions as (

    select pt from {{ ref('stg_faers__reac') }}

),

indications as (

    select indi_pt as pt from {{ ref('stg_faers__indi') }}

),

spellings as (

    select
        pt,
        count(*) as n_rows
    from (
        select pt from reactions
        union all
        select pt from indications
    )
    where pt is not null
    group by pt

),

spellings_keyed as (

    select
        pt,
        n_rows,
        lower({{ faers_regexp_replace_all('pt', '\\s+', ' ') }}) as pt_key,
        pt != upper(pt) as is_mixed_case
    from spellings

),

canonical_spellings as (

    select
        pt_key,
        {{ faers_regexp_replace_all('pt', '\\s+', ' ') }} as pt_canonical
    from spellings_keyed
    qualify row_number() over (
        partition by pt_key
        order by is_mixed_case desc, n_rows desc, pt
    ) = 1

),

spellings_mapped as (

    select
        spellings_keyed.pt,
        spellings_keyed.pt_key,
        canonical_spellings.pt_canonical,
        spellings_keyed.n_rows
    from spellings_keyed
    inner join canonical_spellings
        on spellings_keyed.pt_key = canonical_spellings.pt_key

)

select * from spellings_mapped
