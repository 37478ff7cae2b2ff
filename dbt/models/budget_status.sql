{{ config(materialized='view') }}
{#- Each budget (the seed `budgets`) against its month (docs/answers.md, "Budgets"): what is counted to date and
    foreseen at the month's end (usage_forecast), the thresholds crossed so far, the day the budget was crossed or is
    foreseen to be, and a status.
    - A budget in money adds up the cost of every priced figure of its vendor (and Leaf product).
    - Crossed already: the first day whose running total reached the amount (figures by day), else the read day.
    - Not yet: the day the foreseen line (each series' complete days, then its daily rate) reaches the amount,
      never before the read day; none when the month ends below it. -#}
{%- set number = dbt.type_numeric() -%}
{%- set key = 'budget_id, vendor, metric, product, unit' %}

with budgets as (
    select {{ dbt.concat(["vendor", "'|'", "metric", "'|'", "coalesce(product, '')", "'|'", "coalesce(unit, '')"]) }}
               as budget_id,
           vendor, metric, product, unit, cast(amount as {{ number }}) as amount,
           {#- the default thresholds: 80 and 100 percent of the amount #}
           coalesce(nullif(thresholds, ''), '80;100') as thresholds
    from {{ ref('budgets') }}
),

thresholds as (
{%- for position in range(1, 10) %}
    select budget_id, {{ dbt.split_part('thresholds', "';'", position) }} as threshold_text from budgets
    {{- '' if loop.last else '\n    union all' }}
{%- endfor %}
),

matched as (
    select budget.budget_id, budget.vendor, budget.metric, budget.product, budget.unit, budget.amount,
           budget.thresholds, forecast.vendor as series,
           case when budget.metric = 'cost' then forecast.cost_to_date else forecast.quantity_to_date end as to_date,
           case when budget.metric = 'cost' then forecast.cost_forecast else forecast.quantity_forecast end as forecast,
           case when budget.metric = 'cost' then forecast.daily_cost else forecast.daily_quantity end as daily_rate,
           {#- where the series' foreseen line stands on day 0: its complete days' total less their days at its rate #}
           case when budget.metric = 'cost' then forecast.cost_complete else forecast.quantity_complete end
               - coalesce(case when budget.metric = 'cost' then forecast.daily_cost else forecast.daily_quantity end, 0)
                 * coalesce(forecast.complete_days, 0) as line_start
    from budgets as budget
    left join {{ ref('usage_forecast') }} as forecast on {{ budget_covers('budget', 'forecast') }}
),

vendors as (
    select vendor, max(month) as month, max(as_of) as as_of, max(days_in_month) as days_in_month,
           max(case when projection in ('days', 'month to date') then 1 else 0 end) as foreseen
    from {{ ref('usage_forecast') }}
    group by vendor
),

totals as (
    select sums.*, vendors.month, vendors.as_of, vendors.days_in_month,
           {#- one series without a forecast leaves the budget without one; no series at all: none used, so none
               foreseen once the vendor's other figures are #}
           case when sums.series > 0 and sums.series = sums.foreseen_series then sums.foreseen_total
                when sums.series = 0 and vendors.foreseen = 1 then 0 end as forecast
    from (
        select {{ key }}, max(amount) as amount, max(thresholds) as thresholds,
               coalesce(sum(to_date), 0) as to_date,
               count(series) as series, count(forecast) as foreseen_series, sum(forecast) as foreseen_total,
               coalesce(sum(daily_rate), 0) as daily_rate,
               coalesce(sum(line_start), 0) as line_start
        from matched
        group by {{ key }}
    ) as sums
    left join vendors on vendors.vendor = sums.vendor
),

days as (
    select budget.budget_id, figures.day,
           sum(case when budget.metric = 'cost' then figures.cost else figures.quantity end) as used
    from totals as budget
    inner join {{ ref('forecast_days') }} as figures
        on {{ budget_covers('budget', 'figures') }}
       and figures.grain = 'day' and figures.day >= budget.month and figures.day <= budget.as_of
    group by budget.budget_id, figures.day
),

running as (
    select days.*,
           sum(used) over (partition by budget_id order by day rows unbounded preceding) as used_so_far
    from days
),

crossed as (
    select running.budget_id, min(running.day) as crossed_on
    from running
    inner join totals on totals.budget_id = running.budget_id
    where running.used_so_far >= totals.amount
    group by running.budget_id
),

marks as (
    select totals.budget_id,
           {{ dbt.listagg('thresholds.threshold_text', "';'", 'order by cast(thresholds.threshold_text as ' ~ number ~ ')') }}
               as thresholds_crossed,
           max(cast(thresholds.threshold_text as {{ number }})) as highest_threshold_crossed
    from totals
    inner join thresholds on thresholds.budget_id = totals.budget_id
    where coalesce(thresholds.threshold_text, '') <> ''
      and totals.to_date * 100 >= totals.amount * cast(thresholds.threshold_text as {{ number }})
    group by totals.budget_id
),

judged as (
    select totals.*, marks.thresholds_crossed, marks.highest_threshold_crossed, crossed.crossed_on,
           {#- the first day the foreseen line reaches the amount, as a day of the month #}
           case when totals.daily_rate > 0
                then cast(ceil((totals.amount - totals.line_start) / totals.daily_rate) as integer) end as line_day
    from totals
    left join marks on marks.budget_id = totals.budget_id
    left join crossed on crossed.budget_id = totals.budget_id
)

select vendor, metric, product, unit, amount, thresholds, month, as_of,
       cast(to_date as {{ number }}) as to_date,
       cast(100 * to_date / amount as {{ number }}) as percent_to_date,
       cast(forecast as {{ number }}) as forecast,
       cast(100 * forecast / amount as {{ number }}) as percent_forecast,
       thresholds_crossed,
       cast(highest_threshold_crossed as {{ number }}) as highest_threshold_crossed,
       cast(case when to_date >= amount then coalesce(crossed_on, as_of)
                 when forecast >= amount and line_day is not null then
                     {{ dbt.dateadd('day', 'least(greatest(line_day, cast(extract(day from as_of) as integer)), days_in_month) - 1', 'month') }}
            end as date) as crosses_on,
       case when to_date >= amount then 'over'
            when forecast >= amount then 'forecast over'
            when thresholds_crossed is not null then 'warning'
            when forecast is null then 'no forecast yet'
            else 'on track' end as status
from judged
