-- Correctness gate: EBGM, EB05 and EB95 with the reference priors (seed mgps_priors_reference) within
-- 1e-6 relative of the golden values, for both the zero-truncated (_trunc) and the zero-inclusive
-- (_zero) prior, computed exactly as the signals mart does: one faers_signal_udf_stats column per row
-- (one prior on every row), read by the ebgm/eb05/eb95 macros through stats=. Returns the failing
-- (table, statistic) pairs.
{% set tolerance = 1e-6 %}

with

golden as (

    select * from {{ ref('signals_reference') }}

),

priors as (

    select * from {{ ref('mgps_priors_reference') }}

),

{%- for suffix, fit in [('trunc', 'pvref_trunc_Nstar1'), ('zero', 'pvref_zero_inclusive')] %}

cells_{{ suffix }} as (

    select
        golden.drug,
        golden.event,
        golden.a,
        golden.e,
        golden.ebgm_{{ suffix }},
        golden.eb05_{{ suffix }},
        golden.eb95_{{ suffix }},
        priors.alpha1,
        priors.beta1,
        priors.alpha2,
        priors.beta2,
        priors.p,
        {{ faers_signal_udf_stats('golden.a', 'golden.e', 'priors.alpha1', 'priors.beta1',
                                  'priors.alpha2', 'priors.beta2', 'priors.p') }} as udf_stats
    from golden
    cross join priors
    where priors.fit = '{{ fit }}'

),

computed_{{ suffix }} as (

    select
        drug,
        event,
        ebgm_{{ suffix }},
        eb05_{{ suffix }},
        eb95_{{ suffix }},
        {%- set args = ['a', 'e', 'alpha1', 'beta1', 'alpha2', 'beta2', 'p'] %}
        {{ ebgm(*args, variant='mgps', stats='udf_stats') }} as computed_ebgm,
        {{ eb05(*args, variant='mgps', stats='udf_stats') }} as computed_eb05,
        {{ eb95(*args, variant='mgps', stats='udf_stats') }} as computed_eb95
    from cells_{{ suffix }}

),

{%- endfor %}

failures as (

    {%- for suffix in ['trunc', 'zero'] %}
    {%- set outer_loop = loop %}
    {%- for statistic in ['ebgm', 'eb05', 'eb95'] %}
    select
        drug,
        event,
        '{{ statistic }}_{{ suffix }}' as statistic,
        {{ statistic }}_{{ suffix }} as expected_value,
        computed_{{ statistic }} as computed_value
    from computed_{{ suffix }}
    where not coalesce(
        abs(computed_{{ statistic }} - {{ statistic }}_{{ suffix }})
        <= {{ tolerance }} * abs({{ statistic }}_{{ suffix }}),
        false
    )
    {{ 'union all' if not (loop.last and outer_loop.last) }}
    {%- endfor %}
    {%- endfor %}

)

select * from failures
