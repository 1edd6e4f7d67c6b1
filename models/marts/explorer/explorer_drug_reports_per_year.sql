-- Reports of each drug per year of fda_dt (explorer_drug_reports), all and serious.
{{ config(materialized='table') }}

with

drug_reports as (

    select * from {{ ref('explorer_drug_reports') }}

)

select
    drug,
    report_year as year,
    count(*) as n,
    count(*) filter (where is_serious) as n_serious
from drug_reports
group by drug, report_year
order by drug, year
