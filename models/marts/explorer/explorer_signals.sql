-- main.signals as the explorer reads it: every row and column of the mart, with the cell's margins
-- (drug_event_cells: n_drug, n_event, n) and the PT's MedDRA code and primary SOC (explorer_pt_terms),
-- sorted by (drug, pt) so that a drug page or a pair page reads one contiguous stretch of the table
-- instead of scanning the whole mart.
{{ config(materialized='table') }}

with

signals as (

    select * from {{ ref('signals') }}

),

cells as (

    select * from {{ ref('drug_event_cells') }}

),

pt_terms as (

    select * from {{ ref('explorer_pt_terms') }}

)

select
    signals.*,
    cells.n_drug,
    cells.n_event,
    cells.n,
    pt_terms.pt_code,
    pt_terms.soc
from signals
inner join cells
    on signals.drug = cells.drug
    and signals.pt = cells.pt
left join pt_terms
    on signals.pt = pt_terms.pt
order by signals.drug, signals.pt
