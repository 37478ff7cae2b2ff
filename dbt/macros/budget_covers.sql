{#- True where the row `series` (of usage_forecast, or of forecast_days) counts towards the budget `budget`:
    a quantity's own vendor, metric, unit and Leaf product; for a budget in money (metric `cost`), every priced row
    of its vendor (and Leaf product) in its currency. An empty product or unit matches any. -#}
{% macro budget_covers(budget, series) -%}
{{ series }}.vendor = {{ budget }}.vendor
and ({{ budget }}.product is null or {{ series }}.product = {{ budget }}.product)
and case when {{ budget }}.metric = 'cost'
         then {{ series }}.currency is not null and ({{ budget }}.unit is null or {{ series }}.currency = {{ budget }}.unit)
         else {{ series }}.metric = {{ budget }}.metric and ({{ budget }}.unit is null or {{ series }}.unit = {{ budget }}.unit)
    end
{%- endmacro %}
