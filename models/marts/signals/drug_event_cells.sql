-- Report-level 2x2 tables: one row per (drug, pt) with a >= 1 over the deduplicated reports. A
-- report counts when it has at least one drug in a role of var('suspect_roles') and at least one pt
-- (N = those reports); a drug or a pt counts once per report however often it repeats. What "a drug" is
-- follows var('drug_unit') (macro suspect_drug_rows): each ingredient of a combination, or the product.
--
-- How (benchmarks/signals.py): drugs and pts are numbered once, so everything after works on integers.
-- One window per side, partitioned by report, drops repeated drugs (lag) and marks each report's first
-- drug and first pt (fct_case_reaction is already one row per (primary_id, pt): its tested grain). The
-- single report-level join of drugs and pts then yields every count at once: a = its rows per
-- (drug, pt); n_drug = its rows that carry the report's first pt (once per report and drug), n_event =
-- those that carry the first drug, N = those that carry both. Only reports with a suspect drug and a pt
-- reach the join, so no semi-join or count(distinct) over the reports is needed.
with

case_reactions as (

    select * from {{ ref('fct_case_reaction') }}

),

suspect_rows as (

    {{ suspect_drug_rows() }}

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
        (row_number() over (order by drug))::integer as drug_id
    from (select distinct drug from suspect_rows)

),

pt_ids as (

    select
        pt,
        (row_number() over (order by pt))::integer as pt_id
    from (select distinct pt from event_rows)

),

numbered_drugs as (

    select
        suspect_rows.primary_id,
        drug_ids.drug_id,
        row_number() over report_drugs = 1 as is_first_drug,
        drug_ids.drug_id is distinct from lag(drug_ids.drug_id) over report_drugs as is_new_drug
    from suspect_rows
    inner join drug_ids
        on suspect_rows.drug = drug_ids.drug
    window report_drugs as (partition by suspect_rows.primary_id order by drug_ids.drug_id)

),

suspect_drugs as (

    select
        primary_id,
        drug_id,
        is_first_drug
    from numbered_drugs
    where is_new_drug

),

reported_events as (

    select
        event_rows.primary_id,
        pt_ids.pt_id,
        row_number() over (partition by event_rows.primary_id order by pt_ids.pt_id) = 1 as is_first_event
    from event_rows
    inner join pt_ids
        on event_rows.pt = pt_ids.pt

),

pair_counts as (

    select
        suspect_drugs.drug_id,
        reported_events.pt_id,
        count(*) as a,
        count(*) filter (where reported_events.is_first_event) as drug_reports,
        count(*) filter (where suspect_drugs.is_first_drug) as event_reports,
        count(*) filter (where suspect_drugs.is_first_drug and reported_events.is_first_event) as reports
    from suspect_drugs
    inner join reported_events
        on suspect_drugs.primary_id = reported_events.primary_id
    group by suspect_drugs.drug_id, reported_events.pt_id

),

drug_margins as (

    select
        drug_id,
        sum(drug_reports)::bigint as n_drug
    from pair_counts
    group by drug_id

),

event_margins as (

    select
        pt_id,
        sum(event_reports)::bigint as n_event
    from pair_counts
    group by pt_id

),

report_count as (

    select sum(reports)::bigint as n
    from pair_counts

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
