-- Report-level 2x2 tables: one row per (drug, pt) with a >= 1 over the deduplicated reports. A
-- report counts when it has at least one drug in a role of var('suspect_roles') and at least one pt
-- (N = those reports); a drug or a pt counts once per report however often it repeats.
--
-- Cost notes (benchmarks/signals.py): drugs and pts are numbered once, so the report-level join,
-- the dedup and the pair count work on integers, not strings; fct_case_reaction is already one row
-- per (primary_id, pt) (its grain), so only the drugs need a DISTINCT (fct_case_drug may list a drug
-- several times per report).
with

case_drugs as (

    select * from {{ ref('fct_case_drug') }}

),

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

suspect_rows as (

    select
        primary_id,
        drug
    from case_drugs
    where list_contains({{ var('suspect_roles') }}, role_cod)
        and drug is not null

),

event_rows as (

    select
        primary_id,
        pt
    from case_reactions
    where pt is not null

),

drug_ids as (

    select
        drug,
        (row_number() over ())::integer as drug_id
    from (select distinct drug from suspect_rows)

),

pt_ids as (

    select
        pt,
        (row_number() over ())::integer as pt_id
    from (select distinct pt from event_rows)

),

suspect_drugs as (

    select distinct
        suspect_rows.primary_id,
        drug_ids.drug_id
    from suspect_rows
    inner join drug_ids
        on suspect_rows.drug = drug_ids.drug

),

reported_events as (

    select
        event_rows.primary_id,
        pt_ids.pt_id
    from event_rows
    inner join pt_ids
        on event_rows.pt = pt_ids.pt

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
        drug_id,
        count(*) as n_drug
    from drugs_of_counted_reports
    group by drug_id

),

event_margins as (

    select
        pt_id,
        count(*) as n_event
    from events_of_counted_reports
    group by pt_id

),

pair_counts as (

    select
        drugs_of_counted_reports.drug_id,
        events_of_counted_reports.pt_id,
        count(*) as a
    from drugs_of_counted_reports
    inner join events_of_counted_reports
        on drugs_of_counted_reports.primary_id = events_of_counted_reports.primary_id
    group by drugs_of_counted_reports.drug_id, events_of_counted_reports.pt_id

),

cells as (

    select
        drug_ids.drug,
        pt_ids.pt,
        {{ contingency_cells('pair_counts.a', 'drug_margins.n_drug', 'event_margins.n_event', 'report_count.n') }}
    from pair_counts
    inner join drug_margins
        on pair_counts.drug_id = drug_margins.drug_id
    inner join event_margins
        on pair_counts.pt_id = event_margins.pt_id
    inner join drug_ids
        on pair_counts.drug_id = drug_ids.drug_id
    inner join pt_ids
        on pair_counts.pt_id = pt_ids.pt_id
    cross join report_count

)

select * from cells
