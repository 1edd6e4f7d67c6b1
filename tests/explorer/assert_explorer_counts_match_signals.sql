-- The explorer's report lists number what the signals count: a drug's rows in explorer_drug_reports are
-- its n_drug, a pair's rows in explorer_pair_reports are its a (every drug_event_cells row, both ways).
with

cells as (

    select * from {{ ref('drug_event_cells') }}

),

drug_counts as (

    select drug, count(*) as n from {{ ref('explorer_drug_reports') }} group by drug

),

pair_counts as (

    select drug, pt, count(*) as n from {{ ref('explorer_pair_reports') }} group by drug, pt

),

drug_margins as (

    select distinct drug, n_drug from cells

)

select 'drug' as what, drug_margins.drug, null as pt, drug_margins.n_drug as expected, drug_counts.n as found
from drug_margins
full outer join drug_counts
    on drug_margins.drug = drug_counts.drug
where drug_margins.n_drug is distinct from drug_counts.n
union all
select 'pair' as what, cells.drug, cells.pt, cells.a as expected, pair_counts.n as found
from cells
full outer join pair_counts
    on cells.drug = pair_counts.drug
    and cells.pt = pair_counts.pt
where cells.a is distinct from pair_counts.n
