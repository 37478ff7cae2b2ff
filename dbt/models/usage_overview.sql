{{ config(materialized='view') }}
{#- Every vendor's usage in FOCUS 1.3 columns (no cost column). One row per vendor figure: the account, contract
    or Leaf user it belongs to is kept. Only the streams whose tables exist take part. x_MetricKind says what
    each figure is (docs/answers.md, "What each vendor bills"): `billable`, `informational` (added up over days,
    not what the vendor bills) or `gauge` (a level on a day: never added up over days). -#}
{%- set string = dbt.type_string() -%}
{%- set quantity = dbt.type_numeric() -%}
{%- set parts = {} -%}

{%- set sql -%}
select 'Leadfeeder' as ServiceProviderName, 'Leadfeeder API' as ServiceName,
       cast(account_id as {{ string }}) as BillingAccountId,
       cast(null as {{ string }}) as SubAccountId,
       {{ dbt.concat(["http_method", "' '", "endpoint_path"]) }} as x_Operation,
       'requests' as x_Metric,
       'informational' as x_MetricKind,
       cast(null as {{ string }}) as x_Product,
       false as x_IsRollup,
       'month' as x_Grain,
       cast({{ dbt.concat(["period", "'-01'"]) }} as date) as period_start,
       cast(num_requests as {{ quantity }}) as ConsumedQuantity,
       'Requests' as ConsumedUnit,
       false as x_RepeatsFiner,
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
       'billable' as x_MetricKind,
       cast(null as {{ string }}) as x_Product,
       false as x_IsRollup,
       period_type as x_Grain,
       case period_type when 'day' then cast(date as date)
                        when 'month' then cast({{ dbt.concat(["date", "'-01'"]) }} as date)
                        else cast({{ dbt.concat(["date", "'-01-01'"]) }} as date) end as period_start,
       cast(transactions as {{ quantity }}) as ConsumedQuantity,
       'Transactions' as ConsumedUnit,
       {#- reported by day, month or year as configured: where the setting changed between syncs, a month figure
           repeats its days, and a year figure its months or days -#}
       case period_type
           when 'month' then max(case when period_type = 'day' then 1 else 0 end)
                                 over (partition by account_id, api, substr(date, 1, 7)) = 1
           when 'year' then max(case when period_type in ('day', 'month') then 1 else 0 end)
                                over (partition by account_id, api, substr(date, 1, 4)) = 1
           else false end as x_RepeatsFiner,
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
       'informational' as x_MetricKind,
       cast(null as {{ string }}) as x_Product,
       false as x_IsRollup,
       'day' as x_Grain,
       cast(date as date) as period_start,
       cast(request_count as {{ quantity }}) as ConsumedQuantity,
       'Requests' as ConsumedUnit,
       false as x_RepeatsFiner,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from {{ source('usage', 'daily_usage') }}
{%- endset -%}
{%- do parts.update({'daily_usage': sql}) -%}

{%- set area_unit -%}
case area_unit when 'Acre' then 'Acres' when 'Hectare' then 'Hectares' else area_unit end
{%- endset -%}

{#- Leaf: the range answers only. The daily summary (daily_consumption) is left out: whether it holds that
    day's figures or totals to that day is not said, and either way it repeats the range answers (providers.md,
    Leaf). Each contract tracks one product; UNIFIED_AREA is the union of the others (x_IsRollup). -#}
{%- set contracts_present = not execute or load_relation(source('usage', 'contracts')) is not none -%}
{%- for stream, user, figures in [
    ('contract_consumption', none, [('new area', 'daily_area', 'informational'),
                                    ('area to date', 'total_area', 'gauge')]),
    ('leaf_user_consumption', 'leaf_user_id', [('new area by user', 'daily_area', 'billable'),
                                               ('area to date by user', 'total_area', 'gauge')])] -%}
{%- set selects = [] -%}
{%- for metric, amount, kind in figures -%}
{%- set sql -%}
select 'Leaf' as ServiceProviderName, 'Leaf API' as ServiceName,
       cast(contract_id as {{ string }}) as BillingAccountId,
       cast({{ user or 'null' }} as {{ string }}) as SubAccountId,
       cast(null as {{ string }}) as x_Operation,
       '{{ metric }}' as x_Metric,
       {#- AUDIT_FIELDS_BOUNDARY counts a current total: its new area is a change of that level, not a use -#}
       {% if kind == 'billable' %}case when x_Product = 'AUDIT_FIELDS_BOUNDARY' then 'informational' else 'billable' end{% else %}'{{ kind }}'{% endif %} as x_MetricKind,
       x_Product,
       coalesce(x_Product = 'UNIFIED_AREA', false) as x_IsRollup,
       'day' as x_Grain,
       cast(date as date) as period_start,
       cast({{ amount }} as {{ quantity }}) as ConsumedQuantity,
       {{ area_unit }} as ConsumedUnit,
       false as x_RepeatsFiner,
       {{ usage_reference_day('_airbyte_extracted_at') }} as reference_day
from (
    select consumption.*,
           {#- rows synced before records carried `product` take it from their contract -#}
           {%- if contracts_present %}
           cast(coalesce(consumption.product, (select max(contracts.product) from {{ source('usage', 'contracts') }} as contracts
                                                where contracts.id = consumption.contract_id)) as {{ string }}) as x_Product
           {%- else %}
           cast(consumption.product as {{ string }}) as x_Product
           {%- endif %}
    from {{ source('usage', stream) }} as consumption
) as leaf
{%- endset -%}
{%- do selects.append(sql) -%}
{%- endfor -%}
{%- do parts.update({stream: selects | join('\nunion all\n')}) -%}
{%- endfor -%}

{%- set empty -%}
select cast(null as {{ string }}) as ServiceProviderName, cast(null as {{ string }}) as ServiceName,
       cast(null as {{ string }}) as BillingAccountId, cast(null as {{ string }}) as SubAccountId,
       cast(null as {{ string }}) as x_Operation, cast(null as {{ string }}) as x_Metric,
       cast(null as {{ string }}) as x_MetricKind, cast(null as {{ string }}) as x_Product,
       cast(null as boolean) as x_IsRollup, cast(null as {{ string }}) as x_Grain, cast(null as date) as period_start,
       cast(null as {{ quantity }}) as ConsumedQuantity, cast(null as {{ string }}) as ConsumedUnit,
       cast(null as boolean) as x_RepeatsFiner,
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
       ConsumedQuantity, ConsumedUnit, x_Metric, x_Grain, x_Operation, x_MetricKind, x_Product, x_IsRollup,
       x_RepeatsFiner,
       {#- final once the whole period lies before the lookback window of the day it was read -#}
       ChargePeriodEnd <= cast({{ dbt.dateadd('day', -var('lookback_days', 3), 'reference_day') }}
                               as {{ dbt.type_timestamp() }}) as x_IsComplete,
       reference_day as x_ReadOn
from periods
