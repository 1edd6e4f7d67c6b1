{#- Time-to-onset bins of the reference study (Zhao et al. 2025), defined once: every model, analysis and
    the report take the labels from here. tto_bins() is the ordered list of (label, first day, last day);
    tto_bin(days) is the expression labelling a tto_days column (NULL stays NULL). -#}
{% macro tto_bins() -%}
    {{ return([
        ('0-30', 0, 30),
        ('31-60', 31, 60),
        ('61-90', 61, 90),
        ('91-120', 91, 120),
        ('121-150', 121, 150),
        ('151-180', 151, 180),
        ('181-360', 181, 360),
        ('>360', 361, none),
    ]) }}
{%- endmacro %}

{% macro tto_bin(days) -%}
    case
        {%- for label, low, high in tto_bins() %}
        {%- if high is none %}
        when ({{ days }}) >= {{ low }} then '{{ label }}'
        {%- else %}
        when ({{ days }}) between {{ low }} and {{ high }} then '{{ label }}'
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#- The bins' order (1..8) for sorting tables and plots: tto_bin_order('tto_bin'). -#}
{% macro tto_bin_order(label) -%}
    case ({{ label }})
        {%- for bin in tto_bins() %}
        when '{{ bin[0] }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
