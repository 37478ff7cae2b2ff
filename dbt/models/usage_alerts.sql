{{ config(materialized='view') }}
{#- What someone should hear about now (docs/answers.md, "Alerts"): one row per open alert, of one kind.
    - runway: a credit pool that runs out within var alert_runway_days days at today's rate (credit_runway).
    - credits_percent, credits_floor: a pool with at most var alert_credits_percent % of its credits, or at most
      var alert_credits_floor credits, left.
    - credit_reset: a pool that resets within var alert_reset_days days with at least
      var alert_reset_unused_percent % of its credits unused (paid for, not used).
    - budget: a budget over, foreseen over, or past a threshold (budget_status).
    - spike: a day of this month above the mean plus var alert_spike_sd standard deviations of its
      vendor's, metric's, product's and unit's 28 complete days before it (a day with no figure is a day of no
      use), counted only with at least var alert_spike_history_days of those days synced.
    - contract_end: a Leaf contract that ends within var alert_contract_days days.
    `value` is measured against `threshold`, in `unit`; `first_seen` is the first day the figures show it. -#}
{%- set number = dbt.type_numeric() -%}
{%- set string = dbt.type_string() -%}
{%- set budgeted = not execute or load_relation(ref('budget_status')) is not none -%}
{%- set contracts = not execute or load_relation(source('usage', 'contracts')) is not none -%}
{%- set pool_subject = dbt.concat(["vendor", "' '", "coalesce(account_name, account_id)", "' ('", "account_id", "')'"]) -%}

with pools as (
    select * from {{ ref('credit_runway') }}
),

daily as (
    select vendor, metric, product, unit, day, quantity, first_day, month, last_complete_day
    from {{ ref('forecast_days') }}
    where grain = 'day' and quantity is not null
),

history as (
    select checked.vendor, checked.metric, checked.product, checked.unit, checked.day, checked.quantity,
           {#- the calendar days of the window the vendor has synced and no longer revises -#}
           {{ dbt.datediff(
               "greatest(" ~ dbt.dateadd('day', -var('alert_spike_window_days'), 'checked.day') ~ ", checked.first_day)",
               "least(checked.day, " ~ dbt.dateadd('day', 1, 'checked.last_complete_day') ~ ")", 'day') }} as days,
           coalesce(sum(past.quantity), 0) as total,
           coalesce(sum(past.quantity * past.quantity), 0) as squares
    from daily as checked
    left join daily as past
        on past.vendor = checked.vendor and past.metric = checked.metric
       and coalesce(past.product, '') = coalesce(checked.product, '') and past.unit = checked.unit
       and past.day >= {{ dbt.dateadd('day', -var('alert_spike_window_days'), 'checked.day') }} and past.day < checked.day
       and past.day <= checked.last_complete_day
    where checked.day >= checked.month
    group by checked.vendor, checked.metric, checked.product, checked.unit, checked.day, checked.quantity, checked.first_day,
             checked.last_complete_day
),

spikes as (
    select history.*,
           total / days
               + {{ var('alert_spike_sd') }} * sqrt(greatest(squares / days - (total / days) * (total / days), 0))
               as above
    from history
    where days >= {{ var('alert_spike_history_days') }}
),

alerts as (
    select 'runway' as kind, vendor, {{ pool_subject }} as subject, days_left as value,
           {{ var('alert_runway_days') }} as threshold, 'days' as unit, as_of as first_seen
    from pools
    where days_left is not null and days_left <= {{ var('alert_runway_days') }}
    union all
    select 'credits_percent', vendor, {{ pool_subject }}, 100.0 * remaining / available,
           {{ var('alert_credits_percent') }}, 'percent', as_of
    from pools
    where available > 0 and 100.0 * remaining / available <= {{ var('alert_credits_percent') }}
    union all
    select 'credits_floor', vendor, {{ pool_subject }}, remaining, {{ var('alert_credits_floor') }}, unit, as_of
    from pools
    where remaining <= {{ var('alert_credits_floor') }}
    union all
    select 'credit_reset', vendor, {{ pool_subject }}, 100.0 * remaining / available,
           {{ var('alert_reset_unused_percent') }}, 'percent unused', as_of
    from pools
    where resets_on is not null and available > 0
      and resets_on <= {{ dbt.dateadd('day', var('alert_reset_days'), 'as_of') }} and resets_on >= as_of
      and 100.0 * remaining / available >= {{ var('alert_reset_unused_percent') }}
    union all
    select 'spike', vendor, {{ dbt.concat(["vendor", "' '", "metric", "coalesce(' of ' || product, '')",
                                           "' on '", "cast(day as " ~ string ~ ")"]) }},
           quantity, above, unit, day
    from spikes
    where quantity > above
{%- if budgeted %}
    union all
    select 'budget', vendor, {{ dbt.concat(["vendor", "' '", "metric", "coalesce(' of ' || product, '')"]) }},
           case when status = 'forecast over' then percent_forecast else percent_to_date end,
           case when status = 'forecast over' then 100 else highest_threshold_crossed end,
           case when status = 'forecast over' then 'percent foreseen' else 'percent' end,
           case when status = 'over' then crosses_on else as_of end
    from {{ ref('budget_status') }}
    where status in ('over', 'forecast over', 'warning')
{%- endif %}
{%- if contracts %}
    union all
    select 'contract_end', 'leaf', {{ dbt.concat(["coalesce(product, 'Leaf')", "' contract '", "cast(id as " ~ string ~ ")"]) }},
           {{ dbt.datediff('read_on', 'end_date', 'day') }}, {{ var('alert_contract_days') }}, 'days', read_on
    from (
        select contracts.*, {{ usage_reference_day('_airbyte_extracted_at') }} as read_on
        from {{ source('usage', 'contracts') }} as contracts
    ) as contracts
    where cast(end_date as date) >= read_on
      and cast(end_date as date) <= {{ dbt.dateadd('day', var('alert_contract_days'), 'read_on') }}
{%- endif %}
)

select kind, vendor, subject, cast(value as {{ number }}) as value, cast(threshold as {{ number }}) as threshold,
       unit, cast(first_seen as date) as first_seen
from alerts
