{#- on-run-start on Spark: the raw tables are the Parquet folders of `faers load --format parquet`
    (FAERS_RAW_PARQUET/<table>/quarter=YYYYQN/*.parquet), registered in database `raw` as external tables
    over those folders (schema read from the files, `quarter` from the folder names; the profile's
    spark.sql.hive.manageFilesourcePartitions=false lists the folders at every read, so a quarter written
    since the last run is seen). A table already registered over the same folder is kept (registering reads
    the files' schema: seconds per table); one over another folder is registered again. On DuckDB the raw
    tables are the loader's raw.* in the warehouse file: nothing to do. -#}
{% macro register_raw_parquet() -%}
    {{ return(adapter.dispatch('register_raw_parquet')()) }}
{%- endmacro %}

{% macro default__register_raw_parquet() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_parquet() -%}
    {%- if execute -%}
        {%- set root = env_var('FAERS_RAW_PARQUET', 'raw_parquet') -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- set registered = run_query('show tables in raw').columns['tableName'].values() -%}
        {%- for table in ['demo', 'drug', 'reac', 'outc', 'rpsr', 'ther', 'indi', 'deleted', 'rejects',
                          'load_log'] -%}
            {%- set folder = root.rstrip('/') ~ '/' ~ table -%}
            {%- set ns = namespace(location='') -%}
            {%- if table in registered -%}
                {%- for row in run_query('describe table extended raw.' ~ table) -%}
                    {%- if row[0] == 'Location' -%}{%- set ns.location = row[1] -%}{%- endif -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if not ns.location.endswith(folder) -%}
                {%- do run_query('drop table if exists raw.' ~ table) -%}
                {%- do run_query("create table raw." ~ table ~ " using parquet location '" ~ folder ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
