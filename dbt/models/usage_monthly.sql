{{ config(materialized='view') }}
{#- usage_overview by month, added up only where the vendors' rules allow (docs/answers.md, "What may be added
    up"): one row per figure's account, Leaf user, operation, metric, product and unit, and month. A billable or
    informational figure is the sum of its days (or its month's figure, where the vendor reports the month and
    no day of it); a gauge is its value on the month's last day with one, never a sum. Year figures have no
    month: they stay in usage_overview only. -#}
{%- set keys = 'ServiceProviderName, ServiceName, BillingAccountId, SubAccountId, x_Operation, x_Metric, x_MetricKind, x_Product, x_IsRollup, ConsumedUnit' -%}

with figures as (
    select overview.*, cast({{ dbt.date_trunc('month', 'ChargePeriodStart') }} as date) as month
    from {{ ref('usage_overview') }} as overview
    where x_Grain in ('day', 'month')
),

ranked as (
    select figures.*,
           row_number()
               over (partition by ServiceProviderName, BillingAccountId, SubAccountId, x_Operation, x_Metric, month
                     order by ChargePeriodStart desc) as latest_first,
           {#- the day the vendor was last read: a figure a sync did not list again is still as of that day -#}
           max(x_ReadOn) over (partition by ServiceProviderName) as vendor_read_on
    from figures
),

months as (
    select {{ keys }}, month,
           sum(case when x_MetricKind <> 'gauge' or latest_first = 1 then ConsumedQuantity end) as ConsumedQuantity,
           min(case when x_IsComplete then 1 else 0 end) as figures_final,
           max(ChargePeriodStart) as last_figure,
           max(vendor_read_on) as vendor_read_on
    from ranked
    {#- a month figure whose days exist (usage_overview's x_RepeatsFiner) would count them again #}
    where not x_RepeatsFiner
    group by {{ keys }}, month
)

select {{ keys }},
       month,
       cast(ConsumedQuantity as {{ dbt.type_numeric() }}) as ConsumedQuantity,
       cast(last_figure as date) as x_LastFigureDay,
       {#- final once each figure is, and the month ended before the lookback window of the vendor's last read -#}
       figures_final = 1
           and {{ dbt.dateadd('month', 1, 'month') }} <= {{ dbt.dateadd('day', -var('lookback_days', 3), 'vendor_read_on') }}
           as x_IsComplete
from months
