{{ config(materialized='view') }}
{#- The month's end, foreseen (docs/answers.md, "Forecasts"): per vendor, metric, Leaf product and unit, for the
    month of the day the vendor was last read (as_of), its quantity and cost to date and at the month's end, beside
    last month's.
    - By day: the complete days (those usage_overview marks x_IsComplete: before the lookback window) give the
      daily rate; every other day of the month, revisable or to come, is foreseen at that rate. A day with no
      figure is a day of no use (each sync reads every day since the last); days before the vendor's first
      synced day are not known, so they too are foreseen at the rate.
    - By month only (Leadfeeder; InsideView set to `month`): the month to date over the days before the read day.
    - A level (AUDIT_FIELDS_BOUNDARY's area to date) stands: its month end is its current value.
    - No complete day yet (a month's first days): no forecast, and `projection` says so.
    - A forecast is never below what is already counted. -#}
{%- set number = dbt.type_numeric() %}

with figures as (
    select * from {{ ref('forecast_days') }}
),

months as (
    select distinct vendor, as_of, first_day, month, last_complete_day,
           cast({{ dbt.dateadd('month', -1, 'month') }} as date) as last_month,
           cast({{ dbt.dateadd('month', 1, 'month') }} as date) as next_month
    from figures
),

series as (
    select figures.vendor, figures.metric, figures.product, figures.unit,
           months.month, months.as_of, months.first_day, months.last_complete_day,
           cast(extract(day from {{ dbt.dateadd('day', -1, 'months.next_month') }}) as integer) as days_in_month,
           case when figures.metric = 'area to date by user' then 'level'
                when max(case when figures.grain = 'day' then 1 else 0 end) = 1 then 'days'
                else 'month to date' end as counted_by,
           sum(case when figures.day >= months.month then figures.quantity end) as quantity_to_date,
           sum(case when figures.day >= months.month and figures.day <= months.last_complete_day
                    then figures.quantity end) as quantity_complete_days,
           sum(case when figures.day < months.month then figures.quantity end) as last_month_quantity,
           sum(case when figures.day >= months.month then figures.cost end) as cost_to_date,
           sum(case when figures.day >= months.month and figures.day <= months.last_complete_day
                    then figures.cost end) as cost_complete_days,
           sum(case when figures.day < months.month then figures.cost end) as last_month_cost,
           max(figures.currency) as currency,
           min(case when figures.day < months.month then case when figures.complete then 1 else 0 end end)
               as last_month_figures_final
    from figures
    inner join months on months.vendor = figures.vendor
    where figures.day >= months.last_month and figures.day < months.next_month
    group by figures.vendor, figures.metric, figures.product, figures.unit, months.month, months.as_of,
             months.first_day, months.last_complete_day, months.next_month
),

counted as (
    select series.*,
           {#- the complete days counted: by day, from the month's (or the vendor's) first day to the last complete
               one; by month, the days before the read day -#}
           case counted_by
               when 'days' then greatest(
                   case when last_complete_day >= month then cast(extract(day from last_complete_day) as integer)
                        else 0 end
                   - case when first_day > month then cast(extract(day from first_day) as integer) - 1 else 0 end,
                   0)
               when 'month to date' then cast(extract(day from as_of) as integer) - 1
           end as complete_days,
           case counted_by when 'days' then coalesce(quantity_complete_days, 0)
                           else coalesce(quantity_to_date, 0) end as quantity_complete,
           case counted_by when 'days' then coalesce(cost_complete_days, 0)
                           else coalesce(cost_to_date, 0) end as cost_complete
    from series
)

select vendor, metric, product, unit, month, as_of, days_in_month,
       case when counted_by = 'days' and last_complete_day >= month then last_complete_day end as last_complete_day,
       complete_days,
       case when counted_by = 'level' then 'level'
            when complete_days > 0 then counted_by
            else 'no complete day yet' end as projection,
       cast(coalesce(quantity_to_date, 0) as {{ number }}) as quantity_to_date,
       cast(quantity_complete as {{ number }}) as quantity_complete,
       cast(case when complete_days > 0 then quantity_complete / complete_days end as {{ number }}) as daily_quantity,
       cast(case when counted_by = 'level' then coalesce(quantity_to_date, 0)
                 when complete_days > 0 then greatest(coalesce(quantity_to_date, 0),
                     quantity_complete + quantity_complete / complete_days * (days_in_month - complete_days))
            end as {{ number }}) as quantity_forecast,
       cast(coalesce(last_month_quantity, 0) as {{ number }}) as last_month_quantity,
       {#- final once every figure of it is, and its last day is complete -#}
       coalesce(last_month_figures_final, 1) = 1 and last_complete_day >= {{ dbt.dateadd('day', -1, 'month') }}
           as last_month_final,
       currency,
       cast(case when currency is not null then coalesce(cost_to_date, 0) end as {{ number }}) as cost_to_date,
       cast(case when currency is not null then cost_complete end as {{ number }}) as cost_complete,
       cast(case when currency is not null and complete_days > 0 then cost_complete / complete_days end
            as {{ number }}) as daily_cost,
       cast(case when currency is null then null
                 when counted_by = 'level' then cost_to_date
                 when complete_days > 0 then greatest(coalesce(cost_to_date, 0),
                     cost_complete + cost_complete / complete_days * (days_in_month - complete_days))
            end as {{ number }}) as cost_forecast,
       cast(last_month_cost as {{ number }}) as last_month_cost
from counted
