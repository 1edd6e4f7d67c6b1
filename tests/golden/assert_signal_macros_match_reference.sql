-- Correctness gate: every frequentist statistic and every IC variant, computed by the signal macros
-- on the 2,100 golden 2x2 tables (seed signals_reference), within 1e-9 relative of the reference
-- value. The exact Noren limits read one faers_signal_udf_stats column, as the signals mart's do.
-- Returns the failing (table, statistic) pairs.
{% set tolerance = 1e-9 %}
{%- set checks = {
    'ror': ror('a', 'b', 'c', 'd'),
    'ror_lo95': ror_lower('a', 'b', 'c', 'd'),
    'ror_hi95': ror_upper('a', 'b', 'c', 'd'),
    'prr': prr('a', 'b', 'c', 'd'),
    'prr_lo95': prr_lower('a', 'b', 'c', 'd'),
    'prr_hi95': prr_upper('a', 'b', 'c', 'd'),
    'chi2': chi2('a', 'b', 'c', 'd', yates=false),
    'chi2_yates': chi2('a', 'b', 'c', 'd', yates=true),
    'ic': ic('a', 'e', variant='noren'),
    'ic025': ic025('a', 'e', variant='noren', stats='udf_stats'),
    'ic975': ic975('a', 'e', variant='noren', stats='udf_stats'),
    'ic025_approx': ic025('a', 'e', variant='noren_approx'),
    'ic_raw': ic('a', 'e', b='b', c='c', d='d', variant='table2'),
    'ic_bate': ic('a', 'e', b='b', c='c', d='d', variant='bate'),
    'ic025_bate': ic025('a', 'e', b='b', c='c', d='d', variant='bate'),
    'ic975_bate': ic975('a', 'e', b='b', c='c', d='d', variant='bate'),
    'ic_gould': ic('a', 'e', b='b', c='c', d='d', variant='gould'),
    'ic025_gould': ic025('a', 'e', b='b', c='c', d='d', variant='gould'),
    'ic975_gould': ic975('a', 'e', b='b', c='c', d='d', variant='gould'),
} %}

with

golden as (

    select * from {{ ref('signals_reference') }}

),

golden_with_udf_stats as (

    select
        golden.*,
        {{ faers_signal_udf_stats('a', 'e', 'null::double', 'null::double', 'null::double',
                                  'null::double', 'null::double') }} as udf_stats
    from golden

),

computed as (

    select
        golden.*,
        {%- for name, expression in checks.items() %}
        {{ expression }} as computed_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from golden_with_udf_stats as golden

),

failures as (

    {%- for name in checks %}
    select
        drug,
        event,
        '{{ name }}' as statistic,
        {{ name }} as expected_value,
        computed_{{ name }} as computed_value
    from computed
    where not coalesce(
        abs(computed_{{ name }} - {{ name }}) <= {{ tolerance }} * abs({{ name }}),
        false
    )
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from failures
