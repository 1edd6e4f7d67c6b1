{#- Step a2 (temp table study_asof_dropped; needs study_asof_cases): the reports the case marts hold
    (int_cases_deduplicated) that the window's snapshot does not keep in the same version: versions published after
    the window, cases deleted up to the window or outside it. Macro study_source leaves their rows out of the marts
    (a short list when the window ends a few quarters before the warehouse). One primary_id per row; empty when the
    study reads the marts (no quarter after the window) or its snapshot holds the study drug's cases only
    (var('study_reports_drug_only'): study_source then keeps the marts' rows of those cases instead). -#}
{%- if var('study_as_of') and not var('study_reports_drug_only') or not execute %}
select latest_cases.primary_id
from {{ ref('int_cases_deduplicated') }} as latest_cases
anti join {{ study_step('study_asof_cases') }} as snapshot_cases
    on latest_cases.primary_id = snapshot_cases.primary_id
    and latest_cases.quarter = snapshot_cases.quarter
{%- else %}
select null::bigint as primary_id
where false
{%- endif %}
