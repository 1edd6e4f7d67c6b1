-- One row per PT of the signals with its MedDRA codes and primary SOC (int_terms_resolved; NULL without a
-- licensed MedDRA loaded): the drug page's SOC column and filter.
{{ config(materialized='table') }}

with

cells as (

    select * from {{ ref('drug_event_cells') }}

),

terms as (

    select * from {{ ref('int_terms_resolved') }}

),

pts as (

    select distinct pt from cells

),

pt_terms as (

    select
        pt,
        any_value(pt_code) filter (where pt_code is not null) as pt_code,
        any_value(soc) filter (where soc is not null) as soc
    from terms
    where pt is not null
    group by pt

)

select
    pts.pt,
    pt_terms.pt_code,
    pt_terms.soc
from pts
left join pt_terms
    on pts.pt = pt_terms.pt
order by pts.pt
