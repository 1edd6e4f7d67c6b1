-- One row per raw INDI row; LAERS drug_seq and FAERS indi_drug_seq both become drug_seq.
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,
        {{ faers_id('coalesce(indi_drug_seq, drug_seq)') }} as drug_seq,

        ---------- strings
        {{ faers_text('indi_pt') }} as indi_pt
{%- endset %}

{{ faers_staged_rows('indi', columns) }}
