{#- Age in years from FAERS AGE and AGE_COD: DEC, YR, MON, WK, DY, HR (documented codes), MIN and
    SEC (sent by some manufacturers); a year is 365.25 days. NULL for a non-numeric age, any other
    unit, or a result outside [0, max_age_years]. -#}
{% macro age_in_years(age, age_cod) -%}
    {%- set years -%}
        (
            case upper(trim({{ age_cod }}))
                when 'DEC' then try_cast(trim({{ age }}) as double) * 10
                when 'YR' then try_cast(trim({{ age }}) as double)
                when 'MON' then try_cast(trim({{ age }}) as double) / 12
                when 'WK' then try_cast(trim({{ age }}) as double) * 7 / 365.25
                when 'DY' then try_cast(trim({{ age }}) as double) / 365.25
                when 'HR' then try_cast(trim({{ age }}) as double) / (24 * 365.25)
                when 'MIN' then try_cast(trim({{ age }}) as double) / (60 * 24 * 365.25)
                when 'SEC' then try_cast(trim({{ age }}) as double) / (3600 * 24 * 365.25)
            end
        )
    {%- endset -%}
    case when {{ years }} between 0 and {{ var('max_age_years') }} then {{ years }} end
{%- endmacro %}

{#- Weight in kg from FAERS WT and WT_COD (KG, LBS, GMS). NULL for a non-numeric weight, any other
    unit, or a result outside (0, max_weight_kg]. -#}
{% macro weight_in_kg(wt, wt_cod) -%}
    {%- set kg -%}
        (
            case upper(trim({{ wt_cod }}))
                when 'KG' then try_cast(trim({{ wt }}) as double)
                when 'LBS' then try_cast(trim({{ wt }}) as double) * 0.45359237
                when 'GMS' then try_cast(trim({{ wt }}) as double) / 1000
            end
        )
    {%- endset -%}
    case when {{ kg }} > 0 and {{ kg }} <= {{ var('max_weight_kg') }} then {{ kg }} end
{%- endmacro %}

{#- Age group of dim_case: '<18' [0, 18), '18-64' [18, 65), '65-85' [65, 85], '>85' above 85. -#}
{% macro age_group(age_years) -%}
    case
        when {{ age_years }} < 18 then '<18'
        when {{ age_years }} < 65 then '18-64'
        when {{ age_years }} <= 85 then '65-85'
        when {{ age_years }} > 85 then '>85'
    end
{%- endmacro %}
