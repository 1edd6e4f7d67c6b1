-- Report-level 2x2 tables: one row per (drug, pt) with a >= 1 over the deduplicated reports. A
-- report counts when it has at least one drug in a role of var('suspect_roles') and at least one pt
-- (N = those reports); a drug or a pt counts once per report however often it repeats.
with

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

suspect_drugs as (

    select distinct
        primary_id,
        drug
    from case_drugs
    where list_contains({{ var('suspect_roles') }}, role_cod)
        and drug is not null

),

reported_events as (

    select distinct
        primary_id,
        pt
    from case_reactions
    where pt is not null

),

drugs_of_counted_reports as (

    select suspect_drugs.*
    from suspect_drugs
    semi join reported_events
        on suspect_drugs.primary_id = reported_events.primary_id

),

events_of_counted_reports as (

    select reported_events.*
    from reported_events
    semi join suspect_drugs
        on reported_events.primary_id = suspect_drugs.primary_id

),

report_count as (

    select count(distinct primary_id) as n
    from drugs_of_counted_reports

),

drug_margins as (

    select
        drug,
        count(*) as n_drug
    from drugs_of_counted_reports
    group by drug

),

event_margins as (

    select
        pt,
        count(*) as n_event
    from events_of_counted_reports
    group by pt

),

pair_counts as (

    select
        drugs_of_counted_reports.drug,
        events_of_counted_reports.pt,
        count(*) as a
    from drugs_of_counted_reports
    inner join events_of_counted_reports
        on drugs_of_counted_reports.primary_id = events_of_counted_reports.primary_id
    group by drugs_of_counted_reports.drug, events_of_counted_reports.pt

),

cells as (

    select
        pair_counts.drug,
        pair_counts.pt,
        pair_counts.a,
        drug_margins.n_drug - pair_counts.a as b,
        event_margins.n_event - pair_counts.a as c,
        report_count.n - drug_margins.n_drug - event_margins.n_event + pair_counts.a as d,
        drug_margins.n_drug,
        event_margins.n_event,
        report_count.n,
        drug_margins.n_drug::double * event_margins.n_event / report_count.n as expected
    from pair_counts
    inner join drug_margins
        on pair_counts.drug = drug_margins.drug
    inner join event_margins
        on pair_counts.pt = event_margins.pt
    cross join report_count

)

select * from cells
