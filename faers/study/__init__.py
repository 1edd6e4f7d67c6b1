"""One command reproduces a whole FAERS disproportionality study.

* ``config``: the study file (YAML) and its validation.
* ``scope``: MedDRA scope resolution (SOC/HLGT/HLT/PT/LLT names to current PTs).
* ``sql``: ``dbt compile`` of ``analyses/study/*.sql`` with the study's vars, then runs that exact SQL.
* ``stats``: what SQL cannot do (MGPS prior fits per stratum, Fisher/chi-square, normal p-values).
* ``tto``: Weibull maximum likelihood for time to onset.
* ``run``: ``run_study(file, out, db)``, the ``faers study`` command.
"""
