{#- Step 9 (temp table study_tto_summary; needs study_tto): onset distribution overall (pt 'ALL': each
    report once) and per PT: n, median, quartiles (continuous quantiles), and per bin of macro tto_bin the
    count and percent (bins with no report included). `faers study` adds the Weibull fits. -#}
with

study_tto as (

    select * from {{ study_step('study_tto') }}

),

reports_once as (

    select distinct primary_id, tto_days, tto_bin
    from study_tto

),

onsets as (

    select 'ALL' as pt, tto_days, tto_bin from reports_once
    union all
    select pt, tto_days, tto_bin from study_tto

),

summary_per_pt as (

    select
        pt,
        'summary' as row_kind,
        null as tto_bin,
        null::integer as bin_order,
        count(*) as n,
        quantile_cont(tto_days, 0.5) as median,
        quantile_cont(tto_days, 0.25) as q1,
        quantile_cont(tto_days, 0.75) as q3,
        null::double as percent
    from onsets
    group by pt

),

bins as (

    select * from (
        values
        {%- for label, low, high in tto_bins() %}
        ('{{ label }}', {{ loop.index }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as bins (tto_bin, bin_order)

),

bins_per_pt as (

    select
        summary_per_pt.pt,
        'bin' as row_kind,
        bins.tto_bin,
        bins.bin_order,
        count(onsets.tto_days) as n,
        null::double as median,
        null::double as q1,
        null::double as q3,
        100.0 * count(onsets.tto_days) / any_value(summary_per_pt.n) as percent
    from summary_per_pt
    cross join bins
    left join onsets
        on summary_per_pt.pt = onsets.pt
        and bins.tto_bin = onsets.tto_bin
    group by summary_per_pt.pt, bins.tto_bin, bins.bin_order

)

select * from summary_per_pt
union all
select * from bins_per_pt
