{#- The figures a month-end forecast and a budget count (docs/answers.md, "Forecasts"): per vendor (lower case, as
    budgets name it), metric, Leaf product and unit, by day or by month, its quantity or its cost.
    - Quantities: usage_overview's billable and informational figures, never a gauge and never a figure that
      repeats finer ones (x_RepeatsFiner).
    - Costs: focus_charges' rows, where a rate card prices the usage; Leaf's AUDIT_FIELDS_BOUNDARY is billed by
      its level, so its only quantity here is that level. -#}
{% macro forecast_figures() -%}
select lower(ServiceProviderName) as vendor, x_Metric as metric, x_Product as product, ConsumedUnit as unit,
       x_Grain as grain, cast(ChargePeriodStart as date) as day, ConsumedQuantity as quantity,
       cast(null as {{ dbt.type_numeric() }}) as cost, cast(null as {{ dbt.type_string() }}) as currency,
       x_IsComplete as complete, x_ReadOn as read_on
from {{ ref('usage_overview') }}
where x_MetricKind <> 'gauge' and x_Grain in ('day', 'month') and not x_RepeatsFiner
{%- if not execute or load_relation(ref('focus_charges')) is not none %}
union all
select lower(ProviderName), x_Metric, x_Product, ConsumedUnit, x_Grain, cast(ChargePeriodStart as date),
       case when x_Metric = 'area to date by user' then ConsumedQuantity end, BilledCost, BillingCurrency,
       x_IsComplete, cast(null as date)
from {{ ref('focus_charges') }}
where x_Grain in ('day', 'month')
{%- endif %}
{%- endmacro %}
