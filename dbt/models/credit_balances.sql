{{ config(materialized='incremental') }}
{#- Every sync's credit balances, kept: each build appends the snapshots it has not kept yet (a stream table holds
    only the latest one). Leadfeeder's accounts (read at _airbyte_extracted_at) and InsideView's credits.
    balance_day is the day the balance stands for: the day it was read, or var usage_today when earlier (a sync
    that ends before today, like the sandbox's), fixed when the snapshot is kept. -#}
{%- set string = dbt.type_string() -%}
{%- set count = dbt.type_bigint() -%}
{%- set parts = {} -%}

{%- set sql -%}
select _airbyte_extracted_at as observed_at, 'leadfeeder' as vendor, cast(id as {{ string }}) as account_id,
       cast(name as {{ string }}) as account_name, 'Credits' as unit,
       cast(credits_available as {{ count }}) as available, cast(credits_used as {{ count }}) as used,
       cast(credits_remaining as {{ count }}) as remaining, cast(credits_next_reset_on as date) as resets_on
from {{ source('usage', 'accounts') }}
where credits_available is not null or credits_remaining is not null
{%- endset -%}
{%- do parts.update({'accounts': sql}) -%}

{%- set sql -%}
{#- InsideView does not say when an allocation resets. -#}
select observed_at, 'insideview' as vendor, cast(account_id as {{ string }}) as account_id,
       cast(account_name as {{ string }}) as account_name, 'Credits' as unit,
       cast(allocated_credits as {{ count }}) as available, cast(consumed_credits as {{ count }}) as used,
       cast(remaining_credits as {{ count }}) as remaining, cast(null as date) as resets_on
from {{ source('usage', 'credits') }}
{%- endset -%}
{%- do parts.update({'credits': sql}) -%}

{%- set empty -%}
select cast(null as {{ dbt.type_timestamp() }}) as observed_at, cast(null as {{ string }}) as vendor,
       cast(null as {{ string }}) as account_id, cast(null as {{ string }}) as account_name,
       cast(null as {{ string }}) as unit, cast(null as {{ count }}) as available, cast(null as {{ count }}) as used,
       cast(null as {{ count }}) as remaining, cast(null as date) as resets_on
where 1 = 0
{%- endset %}

with snapshot as (
{{ usage_union(parts, empty) }}
)

select observed_at, {{ usage_reference_day('observed_at') }} as balance_day, vendor, account_id, account_name, unit,
       available, used, remaining, resets_on
from snapshot
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as kept
    where kept.vendor = snapshot.vendor and kept.account_id = snapshot.account_id
      and kept.observed_at = snapshot.observed_at
)
{%- endif %}
