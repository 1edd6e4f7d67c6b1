-- Warns (in the dbt log and the build summary) when the MGPS prior fit did not converge or stopped
-- on the boundary of the parameter space. Not usable (is_usable false): signals publishes no EBGM;
-- fix with var mgps_likelihood: full, or give var mgps_prior. A point-mass component (boundary =
-- 'point_mass') is usable but still reported here.
{{ config(severity='warn') }}

with

priors as (

    select * from {{ ref('mgps_prior') }}

)

select
    likelihood,
    converged,
    at_boundary,
    boundary,
    is_usable,
    message
from priors
where not is_usable or at_boundary
