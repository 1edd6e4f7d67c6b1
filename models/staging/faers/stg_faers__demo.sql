-- One row per raw DEMO row, LAERS and FAERS unified: isr -> primary_id, case -> case_id,
-- gndr_cod -> sex, i_f_cod -> i_f_code; trimmed and typed. No row is dropped here.
-- An incremental table per quarter (macros/warehouse/incremental.sql): only the quarters loaded since
-- the last build, or typed with other logic, are (re)typed.
{%- set columns %}
        ---------- ids
        {{ faers_id('coalesce(primaryid, isr)') }} as primary_id,
        {{ faers_id('coalesce(caseid, ' ~ adapter.quote('case') ~ ')') }} as case_id,
        try_cast({{ faers_text('caseversion') }} as integer) as case_version,
        {{ faers_text('foll_seq') }} as follow_up_seq,
        {{ faers_code('coalesce(i_f_code, i_f_cod)') }} as i_f_code,
        case when isr is not null and primaryid is null then 'LAERS' else 'FAERS' end as era,

        ---------- strings
        {{ faers_code('rept_cod') }} as rept_cod,
        {{ faers_text('mfr_num') }} as mfr_num,
        {{ faers_text('mfr_sndr') }} as mfr_sndr,
        {{ faers_text('auth_num') }} as auth_num,
        {{ faers_text('lit_ref') }} as lit_ref,
        {{ faers_text('age') }} as age_raw,
        {{ faers_code('age_cod') }} as age_cod,
        {{ faers_code('age_grp') }} as age_grp,
        {{ faers_code('coalesce(sex, gndr_cod)') }} as sex_cod,
        case {{ faers_code('coalesce(sex, gndr_cod)') }}
            when 'F' then 'F'
            when 'M' then 'M'
        end as sex,
        {{ faers_text('wt') }} as wt_raw,
        {{ faers_code('wt_cod') }} as wt_cod,
        {{ faers_code('occp_cod') }} as occp_cod,
        {{ faers_code('e_sub') }} as e_sub,
        {{ faers_code('to_mfr') }} as to_mfr,
        {{ faers_code('reporter_country') }} as reporter_country_raw,
        {{ faers_code('occr_country') }} as occr_country_raw,

        ---------- numerics
        {{ age_in_years('age', 'age_cod') }} as age_years,
        {{ weight_in_kg('wt', 'wt_cod') }} as weight_kg,

        ---------- dates
        {{ faers_date('fda_dt') }} as fda_dt,
        {{ faers_text('fda_dt') }} as fda_dt_raw,
        {{ faers_date('init_fda_dt') }} as init_fda_dt,
        {{ faers_date('event_dt') }} as event_dt,
        {{ faers_text('event_dt') }} as event_dt_raw,
        {{ faers_date_precision('event_dt') }} as event_dt_precision,
        {{ faers_date('mfr_dt') }} as mfr_dt,
        {{ faers_text('mfr_dt') }} as mfr_dt_raw,
        {{ faers_date('rept_dt') }} as rept_dt,
        {{ faers_text('rept_dt') }} as rept_dt_raw,
        {{ faers_date_precision('rept_dt') }} as rept_dt_precision
{%- endset %}

{{ faers_staged_rows('demo', columns) }}
