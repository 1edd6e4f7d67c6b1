-- What the explorer's search box finds: one row per drug (kind 'drug': a drug of the signals mart, its
-- reports = n_drug), raw drug name (kind 'drug_name': drug_name_audit's DRUGNAME with the kept reports
-- naming it and the signals drugs it maps to) and PT (kind 'pt': reports with the PT counted in the
-- signals, n_event). `term_key` is the lower-case trimmed term the search compares with; sorted by it, so a
-- search within one first letter reads one stretch of the table.
{{ config(materialized='table') }}

with

drug_summary as (

    select * from {{ ref('explorer_drug_summary') }}

),

name_audit as (

    select * from {{ ref('drug_name_audit') }}

),

cells as (

    select * from {{ ref('drug_event_cells') }}

),

drugs as (

    select
        'drug' as kind,
        drug as term,
        n_reports as reports,
        [drug] as drugs
    from drug_summary

),

names_mapped as (

    select
        drug_name,
        sum(reports) as reports,
        list_distinct(flatten(list(
            {%- if var('drug_unit') == 'ingredient' %}
            string_split(ingredient, '\')
            {%- else %}
            [ingredient]
            {%- endif %}
        ) filter (where ingredient is not null))) as drugs
    from name_audit
    where drug_name is not null
    group by drug_name

),

names_to_drugs as (

    select
        names_mapped.drug_name,
        list_sort(list(drug_summary.drug)) as drugs
    from names_mapped
    cross join unnest(names_mapped.drugs) as mapped (drug)
    inner join drug_summary
        on mapped.drug = drug_summary.drug
    group by names_mapped.drug_name

),

drug_names as (

    select
        'drug_name' as kind,
        names_mapped.drug_name as term,
        names_mapped.reports,
        coalesce(names_to_drugs.drugs, []::varchar[]) as drugs
    from names_mapped
    left join names_to_drugs
        on names_mapped.drug_name = names_to_drugs.drug_name

),

pts as (

    select
        'pt' as kind,
        pt as term,
        max(n_event) as reports,
        []::varchar[] as drugs
    from cells
    group by pt

),

terms as (

    select * from drugs
    union all
    select * from drug_names
    union all
    select * from pts

)

select
    kind,
    term,
    lower(trim(term)) as term_key,
    reports,
    drugs
from terms
order by term_key, kind
