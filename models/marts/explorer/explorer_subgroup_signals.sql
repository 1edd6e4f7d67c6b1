-- Signals of each drug-event pair within subgroups (sex, age_group, seriousness): the subgroup's 2x2 table
-- (a from explorer_pair_reports, margins from explorer_strata_margins; macro contingency_cells) and the
-- statistics that need no prior or UDF, by the signal macros (ROR, PRR with chi2, IC except var
-- ic_variant gould, which needs the digamma UDF; the variants and
-- thresholds of the build's vars). EBGM and the IC limits need a prior per stratum (`faers study` fits
-- them). A view: the explorer asks for one pair, and the filter on (drug, pt) reaches the sorted
-- explorer_pair_reports.
{{ config(materialized='view') }}

with

pair_reports as (

    select * from {{ ref('explorer_pair_reports') }}

),

margins as (

    select * from {{ ref('explorer_strata_margins') }}

),

-- one aggregate per subgroup (not an UNPIVOT), so that the filter on (drug, pt) reaches the table scan
pair_counts as (

    select drug, pt, 'sex' as subgroup, sex as level, count(*) as a
    from pair_reports
    where sex is not null
    group by drug, pt, sex
    union all
    select drug, pt, 'age_group' as subgroup, age_group as level, count(*) as a
    from pair_reports
    where age_group is not null
    group by drug, pt, age_group
    union all
    select drug, pt, 'seriousness' as subgroup, seriousness as level, count(*) as a
    from pair_reports
    where seriousness is not null
    group by drug, pt, seriousness

),

cells as (

    select
        pair_counts.drug,
        pair_counts.pt,
        pair_counts.subgroup,
        pair_counts.level,
        {{ contingency_cells('pair_counts.a', 'drug_margins.n', 'event_margins.n', 'all_margins.n') }}
    from pair_counts
    inner join margins as drug_margins
        on drug_margins.margin = 'drug'
        and pair_counts.drug = drug_margins.key
        and pair_counts.subgroup = drug_margins.subgroup
        and pair_counts.level = drug_margins.level
    inner join margins as event_margins
        on event_margins.margin = 'pt'
        and pair_counts.pt = event_margins.key
        and pair_counts.subgroup = event_margins.subgroup
        and pair_counts.level = event_margins.level
    inner join margins as all_margins
        on all_margins.margin = 'all'
        and pair_counts.subgroup = all_margins.subgroup
        and pair_counts.level = all_margins.level

)

select
    drug,
    pt,
    subgroup,
    level,
    a,
    b,
    c,
    d,
    expected,
    {{ ror('a', 'b', 'c', 'd') }} as ror,
    {{ ror_lower('a', 'b', 'c', 'd') }} as ror_lower,
    {{ ror_upper('a', 'b', 'c', 'd') }} as ror_upper,
    {{ prr('a', 'b', 'c', 'd') }} as prr,
    {{ prr_lower('a', 'b', 'c', 'd') }} as prr_lower,
    {{ prr_upper('a', 'b', 'c', 'd') }} as prr_upper,
    {{ chi2('a', 'b', 'c', 'd', yates=var('chi2_yates')) }} as chi2,
    {%- if var('ic_variant') == 'gould' %}
    null::double as ic  -- Gould's IC calls the digamma UDF: not in a view
    {%- else %}
    {{ ic('a', 'expected', b='b', c='c', d='d') }} as ic
    {%- endif %}
from cells
