-- One row per distinct (drug_name, prod_ai) of DRUG (every staged row, all quarters): how often it
-- occurs, its cleaned name key (macro drug_name_cleaned: the cleaning rules of
-- macros/warehouse/drug_names.sql), the cleaned text in its parentheses (a second candidate) and its
-- prod_ai as this project's ingredient set (synonym seed, active moiety, sorted, '\'-joined), the seed's
-- ingredient set for the name and for its parenthesised text, and the cleaned name as ingredient set (its
-- parts through the seed and the moiety). Cleaning runs on distinct names and distinct prod_ai values only,
-- never per DRUG row. Incremental per quarter on DuckDB (macros/warehouse/incremental.sql): a build rewrites
-- the pairs of the changed quarters' rows only, from the per-quarter counts of int_drug_name_keys_built.
{%- set record = none %}
{%- set every_pair = true %}
{%- if faers_supports_delete() %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ faers_delete_changed_drug_name_keys() }}",
) }}
    {%- set every_pair = faers_drug_name_keys_every_pair(none) %}
    {%- set record = none if every_pair else faers_drug_name_keys_record() %}
{%- endif %}
with

drugs as (

    select * from {{ ref('stg_faers__drug') }}

),

lookups as (

    select * from {{ ref('int_drug_name_lookups') }}

),
{%- if every_pair %}

name_pairs as (

    select
        drug_name,
        prod_ai,
        count(*) as n_rows
    from drugs
    group by drug_name, prod_ai

),
{%- else %}

changed_quarters as (

    {{ faers_drug_name_changed_quarters(record) }}

),

changed_counts as (

    select
        drug_name,
        prod_ai,
        count(*) as n_rows
    from drugs
    where quarter in (select quarter from changed_quarters)
    group by drug_name, prod_ai

),

changed_pairs as (

    select drug_name, prod_ai from changed_counts
    union
    select drug_name, prod_ai
    from {{ record }}
    where quarter in (select quarter from changed_quarters)

),

other_quarters_counts as (

    select recorded.drug_name, recorded.prod_ai, recorded.n_rows
    from {{ record }} as recorded
    semi join changed_pairs
        on recorded.drug_name is not distinct from changed_pairs.drug_name
        and recorded.prod_ai is not distinct from changed_pairs.prod_ai
    where recorded.quarter not in (select quarter from changed_quarters)

),

name_pairs as (

    select
        drug_name,
        prod_ai,
        cast(sum(n_rows) as bigint) as n_rows
    from (
        select * from changed_counts
        union all
        select * from other_quarters_counts
    ) as counts
    group by drug_name, prod_ai

),
{%- endif %}
{{ drug_name_keys_rows() }}

select * from keys
