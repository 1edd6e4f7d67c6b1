{#- One row per published spelling of a MedDRA term (REAC pt, INDI indi_pt) with the current PT it stands
    for. With the licensed MedDRA loaded (`faers load-meddra`, schema meddra), each term is matched
    case-insensitively (blanks collapsed, as int_terms_canonical keys it) first against the current PT
    names (term_status 'current_pt'), then against every LLT name, current or not (a former PT such as
    'Convulsion', a renamed PT, an LLT reported as if a PT: 'llt'; an LLT name shared by two PTs goes to
    the current LLT, then the lowest llt_code); what matches neither keeps its canonical spelling
    ('unresolved'). pt is then the PT's current name, with pt_code, its primary SOC name and the HLT/HLGT
    codes of its primary path. Without MedDRA, pt is the canonical spelling and the MedDRA columns and
    term_status are NULL (the marts behave as without a dictionary). The table comment records the
    release used (meddra_release=27.1, or none). -#}
{%- set loaded = meddra_is_loaded() %}
{{ config(post_hook="comment on table {{ this }} is 'meddra_release={{ meddra_release() }}'") }}

with

terms as (

    select * from {{ ref('int_terms_canonical') }}

),

{%- if loaded %}

preferred_terms as (

    select * from meddra.pt

),

lowest_level_terms as (

    select * from meddra.llt

),

system_organ_classes as (

    select * from meddra.soc

),

hierarchy as (

    select * from meddra.md_hierarchy

),

pt_by_name as (

    select
        lower({{ faers_regexp_replace_all('trim(pt_name)', '\\s+', ' ') }}) as term_key,
        min(pt_code) as pt_code
    from preferred_terms
    group by 1

),

pt_by_llt_name as (

    select
        lower({{ faers_regexp_replace_all('trim(llt_name)', '\\s+', ' ') }}) as term_key,
        {{ faers_arg_min('pt_code', ['not is_current', 'llt_code']) }} as pt_code
    from lowest_level_terms
    group by 1

),

primary_paths as (

    select
        pt_code,
        min(hlt_code) as hlt_code,
        min(hlgt_code) as hlgt_code
    from hierarchy
    where is_primary_soc
    group by pt_code

),

terms_matched as (

    select
        terms.pt as reported_spelling,
        terms.pt_canonical,
        coalesce(pt_by_name.pt_code, pt_by_llt_name.pt_code) as pt_code,
        case
            when pt_by_name.pt_code is not null then 'current_pt'
            when pt_by_llt_name.pt_code is not null then 'llt'
            else 'unresolved'
        end as term_status
    from terms
    left join pt_by_name
        on terms.pt_key = pt_by_name.term_key
    left join pt_by_llt_name
        on terms.pt_key = pt_by_llt_name.term_key

),

terms_resolved as (

    select
        terms_matched.reported_spelling as pt_published,
        terms_matched.pt_canonical as reported_term,
        coalesce(preferred_terms.pt_name, terms_matched.pt_canonical) as pt,
        terms_matched.pt_code,
        system_organ_classes.soc_name as soc,
        primary_paths.hlt_code,
        primary_paths.hlgt_code,
        terms_matched.term_status
    from terms_matched
    left join preferred_terms
        on terms_matched.pt_code = preferred_terms.pt_code
    left join system_organ_classes
        on preferred_terms.pt_soc_code = system_organ_classes.soc_code
    left join primary_paths
        on terms_matched.pt_code = primary_paths.pt_code

)

{%- else %}

terms_resolved as (

    select
        pt as pt_published,
        pt_canonical as reported_term,
        pt_canonical as pt,
        null::bigint as pt_code,
        null::string as soc,
        null::bigint as hlt_code,
        null::bigint as hlgt_code,
        null::string as term_status
    from terms

)

{%- endif %}

select * from terms_resolved
