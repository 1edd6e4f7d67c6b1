{#- Step 0a (temp table study_events; needs study_drug_suspect_rows): the reactions of every deduplicated report
    with each reported term resolved to its current MedDRA PT where the hierarchy allows: a term that is an LLT (a
    former PT such as 'Convulsion') or a legacy upper-case spelling becomes its current PT ('Seizure'). The
    hierarchy is the licensed one (schema meddra, `faers load-meddra`) when loaded, else the demo seed
    (meddra_demo); without either, terms stay as reported. One row per (report, PT); reported_pt keeps one
    spelling. With var('study_reports_drug_only') (the population's margins and priors from faers study's cache)
    only the study drug's reports (study_drug_suspect_rows): no later step then reads another report's reactions. -#}
{%- set hierarchy = study_meddra_schema() %}
with

case_reactions as (

    select case_reaction_rows.*
    from {{ study_source('fct_case_reaction') }} as case_reaction_rows
    {%- if var('study_reports_drug_only') %}
    semi join {{ study_step('study_drug_suspect_rows') }} as study_drug_suspect_rows
        on case_reaction_rows.primary_id = study_drug_suspect_rows.primary_id
    {%- endif %}

),

{%- if hierarchy is not none %}

lowest_level_terms as (

    select * from {{ hierarchy }}.llt

),

preferred_terms as (

    select * from {{ hierarchy }}.pt

),

current_pt_by_term as (

    select
        lower(lowest_level_terms.llt_name) as term,
        min(preferred_terms.pt_name) as pt
    from lowest_level_terms
    inner join preferred_terms
        on lowest_level_terms.pt_code = preferred_terms.pt_code
    group by lower(lowest_level_terms.llt_name)

),

{%- endif %}

terms_resolved as (

    select
        case_reactions.primary_id,
        {%- if hierarchy is not none %}
        coalesce(current_pt_by_term.pt, case_reactions.pt) as pt,
        {%- else %}
        case_reactions.pt,
        {%- endif %}
        case_reactions.pt as reported_pt
    from case_reactions
    {%- if hierarchy is not none %}
    left join current_pt_by_term
        on lower(case_reactions.pt) = current_pt_by_term.term
    {%- endif %}
    where case_reactions.pt is not null

),

-- fct_case_reaction is one row per (primary_id, pt) (its grain), so two rows of a report meet on one PT only where
-- a term was resolved to another PT: only the (report, PT) pairs such a row reaches are grouped, every other row
-- is already the one row of its pair
resolved_pairs as (

    select distinct
        primary_id,
        pt
    from terms_resolved
    where pt <> reported_pt

),

one_row_per_report_and_pt as (

    select primary_id, pt, min(reported_pt) as reported_pt
    from terms_resolved
    semi join resolved_pairs
        on terms_resolved.primary_id = resolved_pairs.primary_id
        and terms_resolved.pt = resolved_pairs.pt
    group by primary_id, pt

    union all

    select primary_id, pt, reported_pt
    from terms_resolved
    anti join resolved_pairs
        on terms_resolved.primary_id = resolved_pairs.primary_id
        and terms_resolved.pt = resolved_pairs.pt

)

select * from one_row_per_report_and_pt
