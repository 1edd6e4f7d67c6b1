{#- The 2x2 cells of models/marts/signals/drug_event_cells.sql (its header says how and what the vars do), over
    select statements given as text: suspect_rows (primary_id, drug: the counted drug rows), event_rows
    (primary_id, pt: one row per report and pt, pt not NULL), co_suspect_rows (primary_id, drug: the PS/SS
    rows) and case_relation (dim_case: primary_id and the expected_strata columns). The signals mart and the
    study's adjusted cells (analyses/study/study_cells.sql) call it. -#}
{% macro drug_event_cells_query(suspect_rows, event_rows, co_suspect_rows, case_relation) -%}
{%- set strata = var('expected_strata') %}
{%- set masked = background_exclude_names() %}
{%- set co_roles = ['PS', 'SS'] %}
{#- every counted role is PS or SS (the default): a counted drug row is a co-suspect row too #}
{%- set counted_are_co_suspects = var('suspect_roles') | reject('in', co_roles) | list | length == 0 %}
with

suspect_rows as (

    {{ suspect_rows }}

),

event_rows as (

    {{ event_rows }}

),

-- read by drug_ids and report_co_suspects: scanned twice rather than kept (the PS/SS rows, 19.5M at
-- benchmarks/signals.py's size: kept, they raised the query's peak memory by ~0.5 GB)
co_suspect_rows {{ faers_cte_as_not_materialized() if counted_are_co_suspects else 'as' }} (

    {{ co_suspect_rows }}

),

drug_ids as (
    {%- if counted_are_co_suspects %}

    {{ faers_value_ids('drug', '(select drug from suspect_rows union all select drug from co_suspect_rows)', 'drug_id') }}
    {%- else %}

    {{ faers_value_ids('drug', 'suspect_rows', 'drug_id') }}
    {%- endif %}

),

pt_ids as (

    {{ faers_value_ids('pt', 'event_rows', 'pt_id') }}

),

{%- if counted_are_co_suspects %}

-- every counted role is PS or SS, so a counted drug is one of its report's co-suspects: the drug has a co-suspect
-- where the report has two distinct ones. Only those reports (the join's small build side), one grouping, on the
-- drugs' integer ids (drug_ids numbers the co-suspects' drugs too): min/max of strings cost 2.5 s of the 12 s
-- at benchmarks/signals.py's size, of integers 1.6 s.
report_co_suspects as (

    select co_suspect_rows.primary_id
    from co_suspect_rows
    inner join drug_ids
        on co_suspect_rows.drug = drug_ids.drug
    group by co_suspect_rows.primary_id
    having min(drug_ids.drug_id) <> max(drug_ids.drug_id)

),
{%- else %}

report_co_suspects as (

    select
        primary_id,
        count(distinct drug) as n_co_suspects
    from co_suspect_rows
    group by primary_id

),

co_suspect_drugs as (

    select distinct
        primary_id,
        drug
    from co_suspect_rows

),
{%- endif %}
{%- if strata %}

report_strata as (

    select
        primary_id,
        dense_rank() over (order by {{ expected_stratum_expressions('dim_case') | join(', ') }})::integer
            as stratum_id
    from {{ case_relation }} as dim_case

),
{%- endif %}
{%- if masked %}

masked_reports as (

    select distinct primary_id
    from suspect_rows
    where {{ faers_list_has_any(faers_split('lower(drug)', '\\'), faers_list_literal(masked)) }}

),
{%- endif %}

numbered_drugs as (

    select
        suspect_rows.primary_id,
        suspect_rows.drug,
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
        numbered_drugs.primary_id,
        numbered_drugs.drug_id,
        numbered_drugs.is_first_drug,
        {%- if counted_are_co_suspects %}
        report_co_suspects.primary_id is not null as has_co_suspect
        {%- else %}
        coalesce(report_co_suspects.n_co_suspects, 0)
            - (co_suspect_drugs.drug is not null)::integer > 0 as has_co_suspect
        {%- endif %}
        {%- if strata %},
        coalesce(report_strata.stratum_id, 0) as stratum_id
        {%- endif %}
        {%- if masked %},
        masked_reports.primary_id is not null as is_masked
        {%- endif %}
    from numbered_drugs
    left join report_co_suspects
        on numbered_drugs.primary_id = report_co_suspects.primary_id
    {%- if not counted_are_co_suspects %}
    left join co_suspect_drugs
        on numbered_drugs.primary_id = co_suspect_drugs.primary_id
        and numbered_drugs.drug = co_suspect_drugs.drug
    {%- endif %}
    {%- if strata %}
    left join report_strata
        on numbered_drugs.primary_id = report_strata.primary_id
    {%- endif %}
    {%- if masked %}
    left join masked_reports
        on numbered_drugs.primary_id = masked_reports.primary_id
    {%- endif %}
    where numbered_drugs.is_new_drug

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
        {%- if strata %}
        suspect_drugs.stratum_id,
        {%- endif %}
        count(*) as a,
        count(*) filter (where reported_events.is_first_event) as drug_reports,
        count(*) filter (where suspect_drugs.is_first_drug) as event_reports,
        count(*) filter (where suspect_drugs.is_first_drug and reported_events.is_first_event) as reports,
        count(*) filter (where suspect_drugs.has_co_suspect) as a_co_suspect
        {%- if masked %},
        count(*) filter (where not suspect_drugs.is_masked) as a_background,
        count(*) filter (where reported_events.is_first_event and not suspect_drugs.is_masked)
            as drug_reports_background,
        count(*) filter (where suspect_drugs.is_first_drug and not suspect_drugs.is_masked)
            as event_reports_background,
        count(*) filter (
            where suspect_drugs.is_first_drug and reported_events.is_first_event and not suspect_drugs.is_masked
        ) as reports_background
        {%- endif %}
    from suspect_drugs
    inner join reported_events
        on suspect_drugs.primary_id = reported_events.primary_id
    group by suspect_drugs.drug_id, reported_events.pt_id{% if strata %}, suspect_drugs.stratum_id{% endif %}

),
{%- if strata %}

-- computed once (read by the per-stratum margins and the Mantel-Haenszel terms)
pair_strata {{ faers_cte_as_materialized() }} (

    select * from pair_counts

),

-- per-stratum margins, each with a one-column key (macro stratum_key) for the sparse terms' joins: with
-- two-column keys the optimiser joins drug_strata to event_strata on stratum_id alone (drugs x pts x strata)
drug_strata as (

    select
        drug_id,
        stratum_id,
        {{ stratum_key('drug_id', 'stratum_id') }} as drug_stratum,
        sum(drug_reports)::bigint as drug_reports
    from pair_strata
    group by drug_id, stratum_id

),

event_strata as (

    select
        pt_id,
        stratum_id,
        {{ stratum_key('pt_id', 'stratum_id') }} as pt_stratum,
        sum(event_reports)::bigint as event_reports
    from pair_strata
    group by pt_id, stratum_id

),

stratum_sizes as (

    select
        stratum_id,
        sum(reports)::bigint as reports
    from pair_strata
    group by stratum_id

),

-- dense vectors over the strata (one position per stratum, in stratum order): per drug n_drug,s / N_s,
-- n_drug,s^2 / N_s^2 and n_drug,s / N_s^2; per pt n_event,s and n_event,s^2
drug_vectors as (

    {{ stratum_vectors('drug_id', 'drug_strata', 'drug_reports', {'x1': [1, 1], 'x2': [2, 2], 'x3': [1, 2]}) }}

),

event_vectors as (

    {{ stratum_vectors('pt_id', 'event_strata', 'event_reports', {'y1': [1, 0], 'y2': [2, 0]}) }}

),

-- the strata where the cell has a_s >= 1: their Mantel-Haenszel terms, and the terms the dense sums
-- counted for them as if a_s were 0 (S0 = n_d n_e / N, Q0 S0 = (n_d + n_e) n_d n_e / N^2)
pair_stratum_terms as (

    select
        pair_strata.drug_id,
        pair_strata.pt_id,
        pair_strata.a_co_suspect,
        pair_strata.a::double as a,
        drug_strata.drug_reports::double - pair_strata.a as b,
        event_strata.event_reports::double - pair_strata.a as c,
        stratum_sizes.reports::double - drug_strata.drug_reports - event_strata.event_reports + pair_strata.a
            as d,
        stratum_sizes.reports::double as n,
        drug_strata.drug_reports::double as n_drug,
        event_strata.event_reports::double as n_event
    from pair_strata
    inner join drug_strata
        on {{ stratum_key('pair_strata.drug_id', 'pair_strata.stratum_id') }} = drug_strata.drug_stratum
    inner join event_strata
        on {{ stratum_key('pair_strata.pt_id', 'pair_strata.stratum_id') }} = event_strata.pt_stratum
    inner join stratum_sizes
        on pair_strata.stratum_id = stratum_sizes.stratum_id

),

-- the double sums are fixed-point sums (macro faers_fixed_point_sum: every term is at most 2 n_s, so a total is
-- at most 2 N): the same digits on every run, where a plain sum() adds the strata in the order a parallel aggregate
-- meets them (the last digits of ror_mh differed between two runs)
pair_totals as (

    select
        drug_id,
        pt_id,
        sum(a)::bigint as a,
        sum(a_co_suspect)::bigint as a_co_suspect,
        {{ faers_fixed_point_sum('a * d / n') }} as r,
        {{ faers_fixed_point_sum('b * c / n') }} as s_observed,
        {{ faers_fixed_point_sum('n_drug * n_event / n') }} as s_as_if_zero,
        {{ faers_fixed_point_sum('(b + c) / n * (b * c / n)') }} as qs_observed,
        {{ faers_fixed_point_sum('(n_drug + n_event) / n * (n_drug * n_event / n)') }} as qs_as_if_zero,
        {{ faers_fixed_point_sum('(b + c) / n * (a * d / n)') }} as qr
    from pair_stratum_terms
    group by drug_id, pt_id

),

-- the dense sums of every cell: the small vector tables are the joins' build sides, and the lists are
-- projected away here (no list reaches a later join)
stratified {{ faers_cte_as_materialized() }} (

    select
        pair_totals.*,
        {{ faers_list_dot_product('drug_vectors.x1', 'event_vectors.y1') }} as expected_dense,
        {{ faers_list_dot_product('drug_vectors.x2', 'event_vectors.y1') }}
            + {{ faers_list_dot_product('drug_vectors.x3', 'event_vectors.y2') }} as qs_dense
    from pair_totals
    inner join drug_vectors
        on pair_totals.drug_id = drug_vectors.drug_id
    inner join event_vectors
        on pair_totals.pt_id = event_vectors.pt_id

),

largest_stratum as (

    select max(reports) as n from stratum_sizes

),
{%- endif %}

drug_margins as (

    select
        drug_id,
        sum(drug_reports)::bigint as n_drug
        {%- if masked %},
        sum(drug_reports_background)::bigint as n_drug_background
        {%- endif %}
    from {{ 'drug_strata' if strata else 'pair_counts' }}
    group by drug_id

),

event_margins as (

    select
        pt_id,
        sum(event_reports)::bigint as n_event
        {%- if masked %},
        sum(event_reports_background)::bigint as n_event_background
        {%- endif %}
    from {{ 'event_strata' if strata else 'pair_counts' }}
    group by pt_id

),

report_count as (

    select
        sum(reports)::bigint as n
        {%- if masked %},
        sum(reports_background)::bigint as n_background
        {%- endif %}
    from {{ 'stratum_sizes' if strata else 'pair_counts' }}

),

cells as (

    select
        drug_ids.drug,
        pt_ids.pt,
        {%- if masked %}
        -- the masked background: c, d, N over the reports without an excluded suspect; a, b every report
        {{ contingency_cells(
            'pair_counts.a',
            'drug_margins.n_drug',
            '(pair_counts.a + event_margins.n_event_background - pair_counts.a_background)',
            '(drug_margins.n_drug + report_count.n_background - drug_margins.n_drug_background)'
        ) }},
        {%- elif strata %}
        {{ contingency_cells('stratified.a', 'drug_margins.n_drug', 'event_margins.n_event', 'report_count.n')
            | replace(' as expected', ' as expected_crude') }},
        {%- else %}
        {{ contingency_cells('pair_counts.a', 'drug_margins.n_drug', 'event_margins.n_event', 'report_count.n') }},
        {%- endif %}
        {%- if strata %}
        stratified.a_co_suspect,
        {%- else %}
        pair_counts.a_co_suspect,
        {%- endif %}
        {%- if strata %}
        stratified.expected_dense as expected_stratified,
        -- the strata with a_s = 0 exist for the cell unless the dense sum is all a_s >= 1 terms (its rounding
        -- error is far below 1 / N_s, the least such term)
        expected_stratified - stratified.s_as_if_zero >= 0.5 / largest_stratum.n as has_zero_strata,
        stratified.r as mh_r,
        stratified.s_observed
            + case when has_zero_strata then expected_stratified - stratified.s_as_if_zero else 0 end
            as mh_s,
        stratified.r - stratified.qr as mh_pr,
        stratified.qs_observed
            + case when has_zero_strata then stratified.qs_dense - stratified.qs_as_if_zero else 0 end
            as mh_qs,
        mh_s - mh_qs + stratified.qr as mh_ps_qr
        {%- else %}
        null::double as mh_r,
        null::double as mh_s,
        null::double as mh_pr,
        null::double as mh_ps_qr,
        null::double as mh_qs
        {%- endif %}
    {%- if strata %}
    from stratified
    cross join largest_stratum
    inner join drug_margins
        on stratified.drug_id = drug_margins.drug_id
    inner join event_margins
        on stratified.pt_id = event_margins.pt_id
    inner join drug_ids
        on stratified.drug_id = drug_ids.drug_id
    inner join pt_ids
        on stratified.pt_id = pt_ids.pt_id
    cross join report_count
    {%- else %}
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
    {%- endif %}

)

select
    drug,
    pt,
    a,
    b,
    c,
    d,
    n_drug,
    n_event,
    n,
    {%- if strata %}
    expected_stratified as expected,
    {%- else %}
    expected,
    {%- endif %}
    a_co_suspect,
    mh_r,
    mh_s,
    mh_pr,
    mh_ps_qr,
    mh_qs
from cells
{%- endmacro %}


{#- The dense vectors of the stratified sums (macro drug_event_cells_query): one row per `id` of the per-stratum
    margins `strata_relation`, one list per entry of `lists`, name: [i, j] for v^i / N_s^j, v the margin
    `value` in the stratum (0 where the id has no report there), N_s the stratum size; one position per
    stratum of stratum_sizes, in stratum order. -#}
{% macro stratum_vectors(id, strata_relation, value, lists) -%}
{%- set v = 'coalesce(' ~ strata_relation ~ '.' ~ value ~ ', 0)::double' %}
{%- set n = 'stratum_sizes.reports::double' %}
    select
        ids.{{ id }},
        {%- for name, powers in lists.items() %}
        {{ faers_list_agg(([v] * powers[0]) | join(' * ') ~ ((' / (' ~ ([n] * powers[1]) | join(' * ') ~ ')')
            if powers[1] else ''), order_by='stratum_sizes.stratum_id') }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (select distinct {{ id }} from {{ strata_relation }}) as ids
    cross join stratum_sizes
    left join {{ strata_relation }}
        on ids.{{ id }} = {{ strata_relation }}.{{ id }}
        and stratum_sizes.stratum_id = {{ strata_relation }}.stratum_id
    group by ids.{{ id }}
{%- endmacro %}


{#- One column for the pair (drug_id or pt_id, stratum_id), both integers: id * 2^32 + stratum_id (a bigint).
    The per-stratum margins are joined on it (macro drug_event_cells_query says why not on the two columns). -#}
{% macro stratum_key(id, stratum_id) -%}
    ({{ id }}::bigint * 4294967296 + {{ stratum_id }})
{%- endmacro %}


{#- drug_event_cells over the case marts given in `marts` (a dict of relations: fct_case_drug,
    fct_case_drug_ingredient, fct_case_reaction, dim_case): the mart's rule (models/marts/signals/drug_event_cells.sql
    says it) in one place for the mart over every kept report, and for the counts of a subset of the reports
    (the changed cases', before and after a build rewrites them: macro drug_event_cells_delta). -#}
{% macro drug_event_cells_rows(marts) -%}
{%- set event_rows -%}
    select
        primary_id,
        pt
    from {{ marts['fct_case_reaction'] }}
    where pt is not null
{%- endset %}
{{- drug_event_cells_query(
    suspect_drug_rows(marts=marts),
    event_rows,
    suspect_drug_rows(roles=['PS', 'SS'], marts=marts),
    marts['dim_case'],
) }}
{%- endmacro %}


{#- drug_event_cells updated by report counts (faers update, macro faers_report_counts_delta): every column is a
    count over reports (a, a_co_suspect per cell, n_drug per drug, n_event per pt, N) and each report belongs to one
    case, so the counts over the kept reports now = `previous` (the table as last built) - `removed` (the cells of
    the cases this build rewrote, over their rows as the case marts held them before) + `added` (the same cases'
    cells over their rows now); b, c, d and E follow from the counts (macro contingency_cells) as in the full
    query. Keyed by names (drug, pt): the query numbers drugs and pts per run. A cell whose a reaches 0 is gone.
    Crude cells only (no expected_strata, no background_exclude_drugs: the mh_* columns are NULL). -#}
{% macro drug_event_cells_delta(previous, removed, added) -%}
with

signed_cells as (

    select 'previous' as source, 1 as sign, drug, pt, a, a_co_suspect, n_drug, n_event, n
    from {{ previous }} as previous_cells
    union all
    select 'removed' as source, -1 as sign, drug, pt, a, a_co_suspect, n_drug, n_event, n
    from {{ removed }} as removed_cells
    union all
    select 'added' as source, 1 as sign, drug, pt, a, a_co_suspect, n_drug, n_event, n
    from {{ added }} as added_cells

),

pair_counts as (

    select
        drug,
        pt,
        sum(sign * a)::bigint as a,
        sum(sign * a_co_suspect)::bigint as a_co_suspect
    from signed_cells
    group by drug, pt
    having sum(sign * a) > 0

),

-- a margin is the same on every cell of its drug (pt) within one source
drug_margins as (

    select
        drug,
        sum(sign * n_drug)::bigint as n_drug
    from (select distinct source, sign, drug, n_drug from signed_cells) as per_source
    group by drug

),

event_margins as (

    select
        pt,
        sum(sign * n_event)::bigint as n_event
    from (select distinct source, sign, pt, n_event from signed_cells) as per_source
    group by pt

),

report_count as (

    select coalesce(sum(sign * n), 0)::bigint as n
    from (select distinct source, sign, n from signed_cells) as per_source

),

cells as (

    select
        pair_counts.drug,
        pair_counts.pt,
        {{ contingency_cells('pair_counts.a', 'drug_margins.n_drug', 'event_margins.n_event', 'report_count.n') }},
        pair_counts.a_co_suspect,
        null::double as mh_r,
        null::double as mh_s,
        null::double as mh_pr,
        null::double as mh_ps_qr,
        null::double as mh_qs
    from pair_counts
    inner join drug_margins
        on pair_counts.drug = drug_margins.drug
    inner join event_margins
        on pair_counts.pt = event_margins.pt
    cross join report_count

)

select
    drug,
    pt,
    a,
    b,
    c,
    d,
    n_drug,
    n_event,
    n,
    expected,
    a_co_suspect,
    mh_r,
    mh_s,
    mh_pr,
    mh_ps_qr,
    mh_qs
from cells
{%- endmacro %}
