{#- Fails with one result per row: for relations that must stay empty (with severity warn: that
    must never be silently non-empty, such as the loader's quarantine). -#}
{% test is_empty(model) %}

select *
from {{ model }}

{% endtest %}
