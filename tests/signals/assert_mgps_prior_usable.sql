-- Warns (in the dbt log and the build summary) when the MGPS prior fit did not converge or stopped on
-- the boundary: signals then publishes no EBGM. Fix: var mgps_likelihood: full, or give var mgps_prior.
{{ config(severity='warn') }}

with

priors as (

    select * from {{ ref('mgps_prior') }}

)

select
    likelihood,
    converged,
    at_boundary,
    message
from priors
where not is_usable
