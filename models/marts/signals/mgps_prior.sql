-- The published MGPS prior (one row) under an enforced contract: the row of mgps_prior_fit (the Python
-- model that fits it; dbt holds only SQL models to a contract), column for column, with the masked drugs
-- of var background_exclude_drugs the cells (and so the fit) were computed with.

with

fit as (

    select * from {{ ref('mgps_prior_fit') }}

)

select
    alpha1,
    beta1,
    alpha2,
    beta2,
    p,
    neg_log_likelihood,
    likelihood,
    method,
    converged,
    at_boundary,
    boundary,
    is_usable,
    message,
    n_starts,
    n_converged_starts,
    n_cells,
    n_zero_cells,
    iterations,
    gradient_norm,
    fixed,
    expected_strata,
    {{ faers_string(background_exclude_names() | join(',')) }} as background_exclude_drugs
from fit
