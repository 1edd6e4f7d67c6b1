{#- Step 3b (temp table study_co_suspects; needs study_reports, study_events, study_drug_case_drugs): per PT of the
    study drug's reports, the other suspect ingredients (role PS or SS, whatever var suspect_roles counts; what "an
    ingredient" is follows var drug_unit, macro suspect_drug_rows) reported with it: reports with the PT and that
    co-suspect, and the PT's reports of the study drug. `faers study` keeps the top ones of each positive PT (table
    co_suspects), so an author sees when a signal rides on a co-prescribed drug. -#}
with

study_reports as (

    select * from {{ study_step('study_reports') }}

),

study_events as (

    select * from {{ study_step('study_events') }}

),

-- the study drug's reports' drug rows (study_drug_case_drugs holds no other report)
case_drugs as (

    select * exclude (is_study_drug_row) from {{ study_step('study_drug_case_drugs') }}

),

co_suspect_rows as (

    {{ suspect_drug_rows(['drug_name', 'prod_ai'], case_drugs='case_drugs', roles=['PS', 'SS']) }}

),

other_suspects as (

    select distinct
        co_suspect_rows.primary_id,
        co_suspect_rows.drug as co_suspect
    from co_suspect_rows
    where not {{ study_drug_match('co_suspect_rows') }}

),

drug_events as (

    select distinct
        study_events.primary_id,
        study_events.pt
    from study_events
    inner join study_reports
        on study_events.primary_id = study_reports.primary_id
    where study_reports.is_study_drug
        and study_events.pt is not null

),

pt_reports as (

    select
        pt,
        count(*) as pt_reports
    from drug_events
    group by pt

),

co_suspect_counts as (

    select
        drug_events.pt,
        other_suspects.co_suspect,
        count(*) as reports
    from drug_events
    inner join other_suspects
        on drug_events.primary_id = other_suspects.primary_id
    group by drug_events.pt, other_suspects.co_suspect

)

select
    co_suspect_counts.pt,
    co_suspect_counts.co_suspect,
    co_suspect_counts.reports,
    pt_reports.pt_reports,
    co_suspect_counts.reports::double / pt_reports.pt_reports as share,
    row_number() over (
        partition by co_suspect_counts.pt order by co_suspect_counts.reports desc, co_suspect_counts.co_suspect
    ) as rank
from co_suspect_counts
inner join pt_reports
    on co_suspect_counts.pt = pt_reports.pt
