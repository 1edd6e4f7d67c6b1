-- The open drug dictionary's matches on Spark: the same rows as the Python model
-- ../int_drug_names_dictionary_matches.py (DuckDB), which dbt-spark cannot run in session mode. The
-- aggregate faers_dictionary_matches (faers.spark_udfs, a pandas UDF registered by faers.spark) runs
-- faers.drug_dictionary.resolve_names on the same keys (name_key, paren_key) and vocabulary (prod_ai
-- ingredients, the synonym seed's ingredients) in one Python call. Enabled on Spark only (dbt_project.yml).
{{ config(materialized='table') }}

with

name_keys as (

    select * from {{ ref('int_drug_name_keys') }}

),

lookups as (

    select * from {{ ref('int_drug_name_lookups') }}

),

inputs as (

    select 'key' as kind, name_key as value from name_keys
    union all
    select 'key' as kind, paren_key as value from name_keys
    union all
    select 'vocabulary' as kind, explode({{ faers_split('prod_ai_ingredient', '\\') }}) as value from name_keys
    union all
    select 'vocabulary' as kind, explode({{ faers_split('synonym_value', '\\') }}) as value
    from (select explode(map_values(synonyms)) as synonym_value from lookups) as synonym_values

),

matched as (

    select explode(from_json(faers_dictionary_matches(kind, value), 'array<array<string>>')) as match
    from inputs

)

select
    match[0] as name_key,
    match[1] as dictionary_names,
    match[2] as ingredient_text
from matched
