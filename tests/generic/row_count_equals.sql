{#- Fails (one row) when the relation does not have exactly `expected` rows. -#}
{% test row_count_equals(model, expected) %}

select
    count(*) as n_rows,
    {{ expected }} as expected_rows
from {{ model }}
having count(*) != {{ expected }}

{% endtest %}
