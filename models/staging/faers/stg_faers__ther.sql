-- One row per raw THER row; LAERS drug_seq and FAERS dsg_drug_seq both become drug_seq (the link to
-- DRUG within the report). Dates typed as in DEMO: full dates as DATE, partial ones kept as text.
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,
        {{ faers_id('coalesce(dsg_drug_seq, drug_seq)') }} as drug_seq,

        ---------- strings
        {{ faers_text('dur') }} as dur_raw,
        {{ faers_code('dur_cod') }} as dur_cod,

        ---------- numerics
        try_cast({{ faers_text('dur') }} as double) as dur,

        ---------- dates
        {{ faers_date('start_dt') }} as start_dt,
        {{ faers_text('start_dt') }} as start_dt_raw,
        {{ faers_date_precision('start_dt') }} as start_dt_precision,
        {{ faers_date('end_dt') }} as end_dt,
        {{ faers_text('end_dt') }} as end_dt_raw,
        {{ faers_date_precision('end_dt') }} as end_dt_precision
{%- endset %}

{{ faers_staged_rows('ther', columns) }}
