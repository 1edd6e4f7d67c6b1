-- What int_drug_name_keys was last built from (written after it): per quarter of stg_faers__drug the row
-- count of each (drug_name, prod_ai), the loaded_at and staging logic_version the quarter was typed with, and
-- the keys' logic version on every row. An incremental build rewrites the changed quarters' rows only, every
-- row when the keys' logic version changed (macros/warehouse/incremental.sql).
-- depends_on: {{ ref('int_drug_name_keys') }}
{%- set logic_version = faers_drug_name_keys_version() %}
{{ config(
    enabled=faers_supports_delete(),
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ faers_delete_changed_drug_name_record() }}",
) }}
select
    quarter,
    loaded_at,
    logic_version as staging_logic_version,
    drug_name,
    prod_ai,
    count(*) as n_rows,
    {{ logic_version }} as keys_logic_version
from {{ ref('stg_faers__drug') }}
{%- if is_incremental() %}
where quarter in ({{ faers_drug_name_changed_quarters(this) }})
{%- endif %}
group by quarter, loaded_at, logic_version, drug_name, prod_ai
