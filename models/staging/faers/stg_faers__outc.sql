-- One row per raw OUTC row (2012Q4 publishes the code as outc_code).
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,

        ---------- strings
        {{ faers_code('coalesce(outc_cod, outc_code)') }} as outc_cod
{%- endset %}

{{ faers_staged_rows('outc', columns) }}
