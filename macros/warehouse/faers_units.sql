{#- Years per unit of FAERS AGE_COD: DEC, YR, MON, WK, DY, HR (documented), MIN and SEC (sent by
    some manufacturers). A year is 365.25 days. Any other code gives NULL. -#}
{% macro age_unit_in_years(age_cod) -%}
    case upper(trim({{ age_cod }}))
        when 'DEC' then 10.0
        when 'YR' then 1.0
        when 'MON' then 1.0 / 12
        when 'WK' then 7.0 / 365.25
        when 'DY' then 1.0 / 365.25
        when 'HR' then 1.0 / (24 * 365.25)
        when 'MIN' then 1.0 / (60 * 24 * 365.25)
        when 'SEC' then 1.0 / (3600 * 24 * 365.25)
    end
{%- endmacro %}

{#- Age in years from AGE and AGE_COD; NULL for a non-numeric age, an unknown unit, or a result
    outside [0, max_age_years]. -#}
{% macro age_in_years(age, age_cod) -%}
    {%- set years -%}
        (try_cast(trim({{ age }}) as double) * {{ age_unit_in_years(age_cod) }})
    {%- endset -%}
    case when {{ years }} between 0 and {{ var('max_age_years') }} then {{ years }} end
{%- endmacro %}

{#- Kilograms per unit of FAERS WT_COD: KG, LBS, GMS. Any other code gives NULL. -#}
{% macro weight_unit_in_kg(wt_cod) -%}
    case upper(trim({{ wt_cod }}))
        when 'KG' then 1.0
        when 'LBS' then 0.45359237
        when 'GMS' then 0.001
    end
{%- endmacro %}

{#- Weight in kg from WT and WT_COD; NULL for a non-numeric weight, an unknown unit, or a result
    outside (0, max_weight_kg]. -#}
{% macro weight_in_kg(wt, wt_cod) -%}
    {%- set kg -%}
        (try_cast(trim({{ wt }}) as double) * {{ weight_unit_in_kg(wt_cod) }})
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
