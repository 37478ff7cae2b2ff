{#- The day a figure read at `read_at` is judged from: the day it was read, or var usage_today when earlier. -#}
{% macro usage_reference_day(read_at) -%}
least(cast({{ read_at }} as date), {% if var('usage_today', none) %}cast('{{ var('usage_today') }}' as date){% else %}current_date{% endif %})
{%- endmacro %}
