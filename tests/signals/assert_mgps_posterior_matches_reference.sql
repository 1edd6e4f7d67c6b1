-- Correctness gate: EBGM, EB05 and EB95 from the ebgm/eb05/eb95 macros (UDFs) with the reference
-- priors (seed mgps_priors_reference) within 1e-6 relative of the golden values, for both the zero-
-- truncated (_trunc) and the zero-inclusive (_zero) prior. Returns the failing (table, statistic)
-- pairs.
{% set tolerance = 1e-6 %}

with

golden as (

    select * from {{ ref('signals_reference') }}

),

priors as (

    select * from {{ ref('mgps_priors_reference') }}

),

{%- for suffix, fit in [('trunc', 'pvref_trunc_Nstar1'), ('zero', 'pvref_zero_inclusive')] %}

computed_{{ suffix }} as (

    select
        golden.drug,
        golden.event,
        golden.ebgm_{{ suffix }},
        golden.eb05_{{ suffix }},
        golden.eb95_{{ suffix }},
        {%- set args = ['golden.a', 'golden.e', 'priors.alpha1', 'priors.beta1', 'priors.alpha2',
                        'priors.beta2', 'priors.p'] %}
        {{ ebgm(*args, variant='mgps') }} as computed_ebgm,
        {{ eb05(*args, variant='mgps') }} as computed_eb05,
        {{ eb95(*args, variant='mgps') }} as computed_eb95
    from golden
    cross join priors
    where priors.fit = '{{ fit }}'

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
