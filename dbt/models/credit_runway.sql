{{ config(materialized='view') }}
{#- Per credit pool: the latest balance, consumption over the last 7 and 30 days, days left at that rate, the
    projected exhaustion day next to the reset day, and a status.
    Consumption comes from a usage stream where the vendor reports the pool's use daily (InsideView's daily
    transactions), else from successive kept balances: the change in `used` since the latest balance at least
    7 (30) days older, or since the oldest kept balance when none is that old, per day between them.
    The rate used is the 7-day one, else the 30-day one. Days are credit_balances' balance days. -#}
{%- set number = dbt.type_numeric() -%}
{%- set daily = execute and load_relation(source('usage', 'api_transactions')) is not none %}

with balances as (
    select * from {{ ref('credit_balances') }}
),

ranked as (
    select balances.*,
           row_number() over (partition by vendor, account_id order by observed_at desc) as recency
    from balances
),

pools as (
    select * from ranked where recency = 1
),

daily_use as (
{%- if daily or not execute %}
    select 'insideview' as vendor, cast(account_id as {{ dbt.type_string() }}) as account_id,
           cast(date as date) as usage_day, cast(sum(transactions) as {{ number }}) as quantity
    from {{ source('usage', 'api_transactions') }}
    where period_type = 'day'
    group by account_id, date
{%- else %}
    select cast(null as {{ dbt.type_string() }}) as vendor, cast(null as {{ dbt.type_string() }}) as account_id,
           cast(null as date) as usage_day, cast(null as {{ number }}) as quantity
    where 1 = 0
{%- endif %}
),

from_usage as (
    select pools.vendor, pools.account_id,
           sum(case when daily_use.usage_day > {{ dbt.dateadd('day', -7, 'pools.balance_day') }}
                     and daily_use.usage_day <= pools.balance_day then daily_use.quantity else 0 end) as consumed_7d,
           sum(case when daily_use.usage_day > {{ dbt.dateadd('day', -30, 'pools.balance_day') }}
                     and daily_use.usage_day <= pools.balance_day then daily_use.quantity else 0 end) as consumed_30d
    from pools
    inner join daily_use on daily_use.vendor = pools.vendor and daily_use.account_id = pools.account_id
    group by pools.vendor, pools.account_id
),

baselines as (
    select pools.vendor, pools.account_id,
           max(case when balances.balance_day <= {{ dbt.dateadd('day', -7, 'pools.balance_day') }}
                    then balances.observed_at end) as before_7d,
           max(case when balances.balance_day <= {{ dbt.dateadd('day', -30, 'pools.balance_day') }}
                    then balances.observed_at end) as before_30d,
           min(balances.observed_at) as oldest
    from pools
    inner join balances on balances.vendor = pools.vendor and balances.account_id = pools.account_id
    group by pools.vendor, pools.account_id
),

from_balances as (
    select pools.vendor, pools.account_id,
           {{ dbt.datediff('then_7d.balance_day', 'pools.balance_day', 'day') }} as span_7d,
           then_7d.used as used_7d_before,
           {{ dbt.datediff('then_30d.balance_day', 'pools.balance_day', 'day') }} as span_30d,
           then_30d.used as used_30d_before
    from pools
    inner join baselines on baselines.vendor = pools.vendor and baselines.account_id = pools.account_id
    inner join balances as then_7d
        on then_7d.vendor = pools.vendor and then_7d.account_id = pools.account_id
       and then_7d.observed_at = coalesce(baselines.before_7d, baselines.oldest)
    inner join balances as then_30d
        on then_30d.vendor = pools.vendor and then_30d.account_id = pools.account_id
       and then_30d.observed_at = coalesce(baselines.before_30d, baselines.oldest)
),

balance_use as (
    {#- no span (one balance day) says nothing; `used` going down means a reset in between: unknown too -#}
    select from_balances.*,
           case when span_7d > 0 and pools.used >= used_7d_before
                then cast(pools.used - used_7d_before as {{ number }}) end as consumed_7d,
           case when span_30d > 0 and pools.used >= used_30d_before
                then cast(pools.used - used_30d_before as {{ number }}) end as consumed_30d
    from from_balances
    inner join pools on pools.vendor = from_balances.vendor and pools.account_id = from_balances.account_id
),

rates as (
    select pools.vendor, pools.account_id, pools.account_name, pools.unit, pools.balance_day as as_of,
           pools.available, pools.used, pools.remaining, pools.resets_on,
           case when from_usage.vendor is not null then 'daily usage' else 'balances' end as rate_source,
           coalesce(from_usage.consumed_7d, balance_use.consumed_7d) as consumed_7d,
           coalesce(from_usage.consumed_30d, balance_use.consumed_30d) as consumed_30d,
           case when from_usage.vendor is not null then from_usage.consumed_7d / 7
                else balance_use.consumed_7d / balance_use.span_7d end as daily_rate_7d,
           case when from_usage.vendor is not null then from_usage.consumed_30d / 30
                else balance_use.consumed_30d / balance_use.span_30d end as daily_rate_30d
    from pools
    left join from_usage on from_usage.vendor = pools.vendor and from_usage.account_id = pools.account_id
    left join balance_use on balance_use.vendor = pools.vendor and balance_use.account_id = pools.account_id
),

projected as (
    select rates.*,
           coalesce(daily_rate_7d, daily_rate_30d) as daily_rate,
           case when remaining <= 0 then cast(0 as {{ number }})
                when coalesce(daily_rate_7d, daily_rate_30d) > 0
                then remaining / coalesce(daily_rate_7d, daily_rate_30d)
           end as days_left
    from rates
),

dated as (
    select projected.*,
           case when remaining <= 0 then as_of
                when days_left is not null
                then cast({{ dbt.dateadd('day', 'cast(ceil(days_left) as ' ~ dbt.type_bigint() ~ ')', 'as_of') }} as date)
           end as runs_out_on
    from projected
)

{#- rates and days left to 6 decimals: the same figures on every warehouse -#}
select vendor, account_id, account_name, unit, as_of, available, used, remaining, resets_on, rate_source,
       consumed_7d, consumed_30d, cast(daily_rate_7d as {{ number }}) as daily_rate_7d,
       cast(daily_rate_30d as {{ number }}) as daily_rate_30d, cast(daily_rate as {{ number }}) as daily_rate,
       cast(days_left as {{ number }}) as days_left, runs_out_on,
       case when remaining <= 0 then 'exhausted'
            {#- without a reset day, every projected exhaustion comes before it -#}
            when runs_out_on is not null and (resets_on is null or runs_out_on < resets_on)
            then 'runs out before reset'
            else 'ok' end as status
from dated
