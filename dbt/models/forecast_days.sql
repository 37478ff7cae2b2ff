{{ config(materialized='table') }}
{#- What a month-end forecast and a budget count (docs/answers.md, "Forecasts"), added up once: per vendor (lower
    case, as budgets name it), metric, Leaf product, unit and day (or month, for figures by month), the quantity
    and the cost of the month of the day the vendor was last read (as_of) and of the month before.
    - Quantities: usage_overview's billable and informational figures, never a gauge and never a figure that
      repeats finer ones (x_RepeatsFiner).
    - Costs: focus_charges' rows, where a rate card prices the usage; Leaf's AUDIT_FIELDS_BOUNDARY is billed by
      its level, so its only quantity here is that level.
    A table: usage_forecast, budget_status and usage_alerts read it several times, and it is small. -#}
{%- set number = dbt.type_numeric() %}

with figures as (
    select lower(ServiceProviderName) as vendor, x_Metric as metric, x_Product as product, ConsumedUnit as unit,
           x_Grain as grain, cast(ChargePeriodStart as date) as day, ConsumedQuantity as quantity,
           cast(null as {{ number }}) as cost, cast(null as {{ dbt.type_string() }}) as currency,
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
),

by_vendor as (
    select figures.*,
           max(read_on) over (partition by vendor) as as_of,
           min(case when grain = 'day' then day end) over (partition by vendor) as first_day
    from figures
),

dated as (
    select by_vendor.*,
           cast({{ dbt.date_trunc('month', 'as_of') }} as date) as month,
           {#- the last day usage_overview calls complete: its end lies before the lookback window of as_of -#}
           cast({{ dbt.dateadd('day', -(var('lookback_days', 3) + 1), 'as_of') }} as date) as last_complete_day
    from by_vendor
)

select vendor, metric, product, unit, grain, day, as_of, first_day, month, last_complete_day,
       cast(sum(quantity) as {{ number }}) as quantity,
       cast(sum(cost) as {{ number }}) as cost,
       max(currency) as currency,
       min(case when complete then 1 else 0 end) = 1 as complete
from dated
where day >= cast({{ dbt.dateadd('month', -1, 'month') }} as date)
group by vendor, metric, product, unit, grain, day, as_of, first_day, month, last_complete_day
