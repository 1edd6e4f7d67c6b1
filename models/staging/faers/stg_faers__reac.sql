-- One row per raw REAC row: the MedDRA preferred term as published (trimmed).
-- The canonical spelling across eras (legacy UPPER vs mixed case) is chosen in intermediate.
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,

        ---------- strings
        {{ faers_text('pt') }} as pt,
        {{ faers_code('drug_rec_act') }} as drug_rec_act
{%- endset %}

{{ faers_staged_rows('reac', columns) }}
