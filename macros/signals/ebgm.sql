{#- MGPS empirical Bayes geometric mean and its 5%/95% posterior quantiles (DuMouchel 1999, Am Stat
    53:177), variant chosen by var('ebgm_variant') or the variant argument:

    'mgps'    (default) lambda | a, E ~ Qn Gamma(alpha1 + a, beta1 + E)
              + (1 - Qn) Gamma(alpha2 + a, beta2 + E) with the fitted prior;
              EBGM = exp(E[ln lambda]) = exp(Qn (psi(alpha1 + a) - ln(beta1 + E))
              + (1 - Qn) (psi(alpha2 + a) - ln(beta2 + E)));
              eb05/eb95 = 5%/95% quantiles of that mixture (mgps_quantile UDF, exact root).
              The prior arguments are column expressions (e.g. from a join with mgps_prior): a NULL
              prior (an unusable fit) gives NULL, never a number from a failed fit.
    'table2'  the simplified formula many FAERS papers print: EBGM = aN / ((a+b)(a+c)) = a / E and
              EB05/EB95 = exp(ln EBGM -+ z sqrt(1/a + 1/b + 1/c + 1/d)), z = var('table2_eb_z');
              needs b=, c=, d=; the prior arguments are ignored. -#}

{% macro _ebgm_check(name, variant, b, c, d) -%}
    {%- set variants = faers_var_rules()['ebgm_variant']['values'] -%}
    {%- if variant not in variants -%}
        {%- do validate_vars() -%}  {#- a bad var ebgm_variant: its own message first -#}
        {{ exceptions.raise_compiler_error(
            name ~ ": ebgm_variant must be one of " ~ variants | join(', ') ~ ", got " ~ variant) }}
    {%- endif -%}
    {%- if variant == 'table2' and (b is none or c is none or d is none) -%}
        {{ exceptions.raise_compiler_error(name ~ ": the 'table2' EBGM needs b=, c= and d=") }}
    {%- endif -%}
{%- endmacro %}

{% macro ebgm(a, e, alpha1, beta1, alpha2, beta2, p, b=none, c=none, d=none,
              variant=var('ebgm_variant')) -%}
    {{- _ebgm_check('ebgm', variant, b, c, d) -}}
    {%- if variant == 'table2' -%}
        (({{ a }})::double / nullif(({{ e }}), 0))
    {%- else -%}
        {%- set m1 -%}
            ({{ faers_digamma('(' ~ alpha1 ~ ') + (' ~ a ~ ')') }} - ln(({{ beta1 }}) + ({{ e }})))
        {%- endset -%}
        {%- set m2 -%}
            ({{ faers_digamma('(' ~ alpha2 ~ ') + (' ~ a ~ ')') }} - ln(({{ beta2 }}) + ({{ e }})))
        {%- endset -%}
        exp(
            {{ m2 }}
            + {{ faers_mgps_qn(a, e, alpha1, beta1, alpha2, beta2, p) }} * ({{ m1 }} - {{ m2 }})
        )
    {%- endif -%}
{%- endmacro %}

{% macro _eb_quantile(name, prob, sign, a, e, alpha1, beta1, alpha2, beta2, p, b, c, d,
                      variant, z) -%}
    {{- _ebgm_check(name, variant, b, c, d) -}}
    {%- if variant == 'table2' -%}
        exp(
            {{ faers_safe_ln(ebgm(a, e, none, none, none, none, none, b, c, d, variant='table2')) }}
            {{ sign }} {{ z }} * {{ faers_log_se(a, b, c, d) }}
        )
    {%- else -%}
        {{ faers_mgps_quantile(prob, a, e, alpha1, beta1, alpha2, beta2, p) }}
    {%- endif -%}
{%- endmacro %}

{% macro eb05(a, e, alpha1, beta1, alpha2, beta2, p, b=none, c=none, d=none,
              variant=var('ebgm_variant'), z=var('table2_eb_z')) -%}
    {{ _eb_quantile(
        'eb05', '0.05', '-', a, e, alpha1, beta1, alpha2, beta2, p, b, c, d, variant, z) }}
{%- endmacro %}

{% macro eb95(a, e, alpha1, beta1, alpha2, beta2, p, b=none, c=none, d=none,
              variant=var('ebgm_variant'), z=var('table2_eb_z')) -%}
    {{ _eb_quantile(
        'eb95', '0.95', '+', a, e, alpha1, beta1, alpha2, beta2, p, b, c, d, variant, z) }}
{%- endmacro %}
