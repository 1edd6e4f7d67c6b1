-- One row per raw DRUG row, LAERS and FAERS unified (lot_nbr -> lot_num); trimmed and typed.
-- drug_name keeps the published DRUGNAME (trimmed); the ingredient is derived in intermediate.
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('caseid') }} as case_id,
        {{ faers_id('drug_seq') }} as drug_seq,

        ---------- strings
        {{ faers_code('role_cod') }} as role_cod,
        {{ faers_text('drugname') }} as drug_name,
        {{ faers_text('prod_ai') }} as prod_ai,
        {{ faers_code('val_vbm') }} as val_vbm,
        {{ faers_code('route') }} as route,
        {{ faers_text('dose_vbm') }} as dose_vbm,
        {{ faers_text('cum_dose_chr') }} as cum_dose_chr,
        {{ faers_text('cum_dose_unit') }} as cum_dose_unit,
        {{ faers_code('dechal') }} as dechal,
        {{ faers_code('rechal') }} as rechal,
        {{ faers_text('coalesce(lot_num, lot_nbr)') }} as lot_num,
        {{ faers_text('exp_dt') }} as exp_dt_raw,
        {{ faers_text('nda_num') }} as nda_num,
        {{ faers_text('dose_amt') }} as dose_amt,
        {{ faers_text('dose_unit') }} as dose_unit,
        {{ faers_text('dose_form') }} as dose_form,
        {{ faers_text('dose_freq') }} as dose_freq,

        ---------- dates
        {{ faers_date('exp_dt') }} as exp_dt
{%- endset %}

{{ faers_staged_rows('drug', columns) }}
