-- Accounting: every physical line the loader read is a staged row, a quarantined row (raw.rejects),
-- a blank line or a continuation line absorbed into a re-joined row. Per member of every zip:
--   staged rows = rows_loaded, rejects = rows_rejected,
--   lines_read = rows_loaded + rows_rejected + lines_blank + lines_joined.
-- Returns every member where one of these fails, and every staged member absent from load_log.
with

load_log as (

    select * from {{ source('faers', 'load_log') }}

),

rejects as (

    select * from {{ source('faers', 'rejects') }}

),

staged_rows as (

    {% for model in ['demo', 'drug', 'reac', 'outc', 'rpsr', 'ther', 'indi', 'deleted'] -%}
    select source_file, count(*) as n_rows
    from {{ ref('stg_faers__' ~ model) }}
    group by source_file
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

members as (

    select
        source_file,
        sum(lines_read) as lines_read,
        sum(rows_loaded) as rows_loaded,
        sum(rows_rejected) as rows_rejected,
        sum(coalesce(lines_blank, 0)) as lines_blank,
        sum(coalesce(lines_joined, 0)) as lines_joined
    from load_log
    group by source_file

),

rejected_rows as (

    select
        source_file,
        count(*) as n_rows
    from rejects
    group by source_file

),

compared as (

    select
        coalesce(members.source_file, staged_rows.source_file) as source_file,
        members.lines_read,
        members.rows_loaded,
        members.rows_rejected,
        members.lines_blank,
        members.lines_joined,
        coalesce(staged_rows.n_rows, 0) as n_staged,
        coalesce(rejected_rows.n_rows, 0) as n_rejected
    from members
    full outer join staged_rows
        on members.source_file = staged_rows.source_file
    left join rejected_rows
        on coalesce(members.source_file, staged_rows.source_file) = rejected_rows.source_file

),

unbalanced as (

    select *
    from compared
    where lines_read is null
        or n_staged != rows_loaded
        or n_rejected != rows_rejected
        or lines_read != rows_loaded + rows_rejected + lines_blank + lines_joined

)

select * from unbalanced
