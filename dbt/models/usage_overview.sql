{{ config(materialized='view') }}
{#- Every vendor's usage in FOCUS 1.3 columns (no cost column). One row per vendor figure: the account, contract
    or Leaf user it belongs to is kept. Only the streams whose tables exist take part. -#}
{%- set string = dbt.type_string() -%}
{%- set quantity = dbt.type_numeric() -%}
{%- set parts = {} -%}

{%- set sql -%}
select 'Leadfeeder' as ServiceProviderName, 'Leadfeeder API' as ServiceName,
       cast(account_id as {{ string }}) as BillingAccountId,
       cast(null as {{ string }}) as SubAccountId,
       {{ dbt.concat(["http_method", "' '", "endpoint_path"]) }} as x_Operation,
       'requests' as x_Metric,
       'month' as x_Grain,
       cast({{ dbt.concat(["period", "'-01'"]) }} as date) as period_start,
       cast(num_requests as {{ quantity }}) as ConsumedQuantity,
       'Requests' as ConsumedUnit,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from {{ source('usage', 'api_usage') }}
{%- endset -%}
{%- do parts.update({'api_usage': sql}) -%}

{%- set sql -%}
select 'InsideView' as ServiceProviderName, 'InsideView API' as ServiceName,
       cast(account_id as {{ string }}) as BillingAccountId,
       cast(null as {{ string }}) as SubAccountId,
       api as x_Operation,
       'transactions' as x_Metric,
       period_type as x_Grain,
       case period_type when 'day' then cast(date as date)
                        when 'month' then cast({{ dbt.concat(["date", "'-01'"]) }} as date)
                        else cast({{ dbt.concat(["date", "'-01-01'"]) }} as date) end as period_start,
       cast(transactions as {{ quantity }}) as ConsumedQuantity,
       'Transactions' as ConsumedUnit,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from {{ source('usage', 'api_transactions') }}
{%- endset -%}
{%- do parts.update({'api_transactions': sql}) -%}

{%- set sql -%}
{#- Whitepages' usage API names no account: the API key is the account. -#}
select 'Whitepages' as ServiceProviderName, 'Whitepages API' as ServiceName,
       'whitepages' as BillingAccountId,
       cast(null as {{ string }}) as SubAccountId,
       cast(null as {{ string }}) as x_Operation,
       'requests' as x_Metric,
       'day' as x_Grain,
       cast(date as date) as period_start,
       cast(request_count as {{ quantity }}) as ConsumedQuantity,
       'Requests' as ConsumedUnit,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from {{ source('usage', 'daily_usage') }}
{%- endset -%}
{%- do parts.update({'daily_usage': sql}) -%}

{%- set area_unit -%}
case area_unit when 'Acre' then 'Acres' when 'Hectare' then 'Hectares' else area_unit end
{%- endset -%}

{%- for stream, metric, amount, user in [
    ('contract_consumption', 'new area', 'daily_area', none),
    ('daily_consumption', 'unique area', 'total_unique_area', none),
    ('leaf_user_consumption', 'new area by user', 'daily_area', 'leaf_user_id')] -%}
{%- set sql -%}
select 'Leaf' as ServiceProviderName, 'Leaf API' as ServiceName,
       cast(contract_id as {{ string }}) as BillingAccountId,
       cast({{ user or 'null' }} as {{ string }}) as SubAccountId,
       cast(null as {{ string }}) as x_Operation,
       '{{ metric }}' as x_Metric,
       'day' as x_Grain,
       cast(date as date) as period_start,
       cast({{ amount }} as {{ quantity }}) as ConsumedQuantity,
       {{ area_unit }} as ConsumedUnit,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from {{ source('usage', stream) }}
{%- endset -%}
{%- do parts.update({stream: sql}) -%}
{%- endfor -%}

{%- set empty -%}
select cast(null as {{ string }}) as ServiceProviderName, cast(null as {{ string }}) as ServiceName,
       cast(null as {{ string }}) as BillingAccountId, cast(null as {{ string }}) as SubAccountId,
       cast(null as {{ string }}) as x_Operation, cast(null as {{ string }}) as x_Metric,
       cast(null as {{ string }}) as x_Grain, cast(null as date) as period_start,
       cast(null as {{ quantity }}) as ConsumedQuantity, cast(null as {{ string }}) as ConsumedUnit,
       cast(null as date) as reference_day
where 1 = 0
{%- endset %}

with figures as (
{{ usage_union(parts, empty) }}
),

periods as (
    select figures.*,
           cast(period_start as {{ dbt.type_timestamp() }}) as ChargePeriodStart,
           cast(case x_Grain when 'day' then {{ dbt.dateadd('day', 1, 'period_start') }}
                             when 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
                             else {{ dbt.dateadd('year', 1, 'period_start') }} end as {{ dbt.type_timestamp() }})
               as ChargePeriodEnd
    from figures
)

select ServiceProviderName, ServiceName, BillingAccountId, SubAccountId, ChargePeriodStart, ChargePeriodEnd,
       ConsumedQuantity, ConsumedUnit, x_Metric, x_Grain, x_Operation,
       {#- final once the whole period lies before the lookback window of the day it was read -#}
       ChargePeriodEnd <= cast({{ dbt.dateadd('day', -var('lookback_days', 3), 'reference_day') }}
                               as {{ dbt.type_timestamp() }}) as x_IsComplete
from periods
