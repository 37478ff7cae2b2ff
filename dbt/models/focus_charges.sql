{{ config(materialized='view') }}
{#- What the usage cost, in FOCUS columns (1.2 and 1.3; docs/answers.md, "focus_charges"): one row per priced
    figure at the finest grain the vendor gives, priced by the rate card (the seed `rate_card`).
    - A figure a vendor bills (x_MetricKind `billable`) is always here; without a card row it has no BilledCost,
      which stops the FOCUS export and fails this model's not_null test: nothing is priced at zero by accident.
    - Any other figure is here only where a card row prices it; a row `billed` false keeps a figure out.
    - InsideView's month and year figures only where no finer figure covers them; a Leaf figure once:
      AUDIT_FIELDS_BOUNDARY by its level at each month's end (leaf_billable_area), the others by their new area.
    - A price in credits is turned into money by the vendor's `credits` row valid that day.
    A figure longer than a day takes the price valid on its first day. -#}
{%- set string = dbt.type_string() -%}
{%- set money = 'numeric(28,10)' -%}
{#- a SKU is a card row's figure: vendor, metric, the card's sku where it names one, unit -#}
{%- set sku_id = dbt.concat(["lower(ServiceProviderName)", "'/'", "x_Metric",
                             "case when card_sku = '' then '' else " ~ dbt.concat(["'/'", "card_sku"]) ~ " end",
                             "'/'", "ConsumedUnit"]) -%}
{%- set has = {} -%}
{%- for table in ['accounts', 'credits', 'contracts', 'leaf_users'] -%}
{%- do has.update({table: execute and load_relation(source('usage', table)) is not none}) -%}
{%- endfor -%}

with figures as (
    select overview.*,
           cast({{ dbt.date_trunc('month', 'ChargePeriodStart') }} as date) as month,
           cast({{ dbt.date_trunc('year', 'ChargePeriodStart') }} as date) as year
    from {{ ref('usage_overview') }} as overview
    where x_MetricKind <> 'gauge'
      and not (ServiceProviderName = 'Leaf' and x_Product = 'AUDIT_FIELDS_BOUNDARY' and x_Metric = 'new area by user')
),

finest as (
    select ServiceProviderName, BillingAccountId, SubAccountId, x_Operation, x_Metric, x_MetricKind, x_Product,
           x_IsRollup, x_Grain, ChargePeriodStart, ChargePeriodEnd, ConsumedQuantity, ConsumedUnit, x_IsComplete
    from figures
    where not x_RepeatsFiner
    union all
    select 'Leaf', contract_id, leaf_user_id, cast(null as {{ string }}), 'area to date by user', 'billable', product,
           is_rollup, 'month', cast(month as {{ dbt.type_timestamp() }}),
           cast({{ dbt.dateadd('month', 1, 'month') }} as {{ dbt.type_timestamp() }}), billable_area, unit, x_IsComplete
    from {{ ref('leaf_billable_area') }}
    where basis = 'area to date'
),

matched as (
    select finest.*, card.unit_price, card.currency, card.billed,
           coalesce(card.sku, '') as card_sku, card.valid_from as card_valid_from,
           row_number() over (
               partition by finest.ServiceProviderName, finest.BillingAccountId, finest.SubAccountId,
                            finest.x_Operation, finest.x_Metric, finest.x_Grain, finest.ChargePeriodStart
               order by case when card.sku is null then 1 else 0 end) as preference
    from finest
    left join {{ ref('rate_card') }} as card
      on card.vendor = lower(finest.ServiceProviderName)
     and card.metric = finest.x_Metric
     and card.pricing_unit = finest.ConsumedUnit
     and (card.sku is null or card.sku = coalesce(finest.x_Product, finest.x_Operation))
     and (card.valid_from is null or card.valid_from <= cast(finest.ChargePeriodStart as date))
     and (card.valid_to is null or card.valid_to >= cast(finest.ChargePeriodStart as date))
),

priced as (
    select matched.*,
           case when matched.currency = 'credits' then matched.unit_price * credit.unit_price
                else matched.unit_price end as money_price,
           case when matched.currency = 'credits' then credit.currency else matched.currency end as money_currency,
           case when matched.currency = 'credits' then matched.unit_price end as credits_per_unit
    from matched
    left join {{ ref('rate_card') }} as credit
      on matched.currency = 'credits'
     and credit.vendor = lower(matched.ServiceProviderName)
     and credit.metric = 'credits'
     and credit.billed
     and (credit.valid_from is null or credit.valid_from <= cast(matched.ChargePeriodStart as date))
     and (credit.valid_to is null or credit.valid_to >= cast(matched.ChargePeriodStart as date))
    where matched.preference = 1
      and (matched.billed or (matched.billed is null and matched.x_MetricKind = 'billable'))
),

card_currency as (
    select min(currency) as currency from {{ ref('rate_card') }} where billed and currency <> 'credits'
)

select cast(ConsumedQuantity * money_price as {{ money }}) as BilledCost,
       cast(ConsumedQuantity * money_price as {{ money }}) as EffectiveCost,
       cast(ConsumedQuantity * money_price as {{ money }}) as ListCost,
       cast(ConsumedQuantity * money_price as {{ money }}) as ContractedCost,
       cast(money_price as {{ money }}) as ListUnitPrice,
       cast(money_price as {{ money }}) as ContractedUnitPrice,
       coalesce(money_currency, (select currency from card_currency)) as BillingCurrency,
       cast(ConsumedQuantity as {{ money }}) as PricingQuantity,
       ConsumedUnit as PricingUnit,
       'Standard' as PricingCategory,
       cast(ConsumedQuantity as {{ money }}) as ConsumedQuantity,
       ConsumedUnit,
       'Usage' as ChargeCategory,
       cast(null as {{ string }}) as ChargeClass,
       'Usage-Based' as ChargeFrequency,
       {{ dbt.concat(["ServiceProviderName", "' '", "x_Metric",
                      "case when coalesce(x_Product, x_Operation) is null then '' else " ~ dbt.concat(["', '", "coalesce(x_Product, x_Operation)"]) ~ " end",
                      "' ('", "ConsumedUnit", "')'"]) }} as ChargeDescription,
       ChargePeriodStart,
       ChargePeriodEnd,
       cast({{ dbt.date_trunc('month', 'ChargePeriodStart') }} as {{ dbt.type_timestamp() }}) as BillingPeriodStart,
       cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'ChargePeriodStart')) }} as {{ dbt.type_timestamp() }})
           as BillingPeriodEnd,
       BillingAccountId,
       coalesce(
           {%- if has.accounts %}
           (select max(accounts.name) from {{ source('usage', 'accounts') }} as accounts
            where ServiceProviderName = 'Leadfeeder' and cast(accounts.id as {{ string }}) = BillingAccountId),
           {%- endif %}
           {%- if has.credits %}
           (select max(credits.account_name) from {{ source('usage', 'credits') }} as credits
            where ServiceProviderName = 'InsideView' and cast(credits.account_id as {{ string }}) = BillingAccountId),
           {%- endif %}
           case ServiceProviderName
               when 'Leaf' then {{ dbt.concat(["coalesce(x_Product, 'Leaf')", "' contract '", "BillingAccountId"]) }}
               when 'Whitepages' then 'Whitepages API key'
               else BillingAccountId end) as BillingAccountName,
       SubAccountId,
       case when SubAccountId is not null then coalesce(
           {%- if has.leaf_users %}
           (select max(users.name) from {{ source('usage', 'leaf_users') }} as users where users.id = SubAccountId),
           {%- endif %}
           SubAccountId) end as SubAccountName,
       ServiceProviderName as InvoiceIssuerName,
       ServiceProviderName as ProviderName,
       ServiceProviderName as PublisherName,
       ServiceProviderName,
       ServiceProviderName as HostProviderName,
       case ServiceProviderName when 'Leaf' then 'Integration' else 'Business Applications' end as ServiceCategory,
       case ServiceProviderName when 'Leaf' then 'Other (Integration)' else 'Other (Business Applications)' end
           as ServiceSubcategory,
       {{ dbt.concat(["ServiceProviderName", "' API'"]) }} as ServiceName,
       {{ sku_id }} as SkuId,
       {#- one price of one SKU: the card row, named by the day it starts -#}
       {{ dbt.concat([sku_id, "'@'", "coalesce(cast(card_valid_from as " ~ string ~ "), 'start')"]) }} as SkuPriceId,
       x_Metric as SkuMeter,
       cast(null as {{ string }}) as SkuPriceDetails,
       cast(null as {{ string }}) as InvoiceId,
       x_Metric, x_MetricKind, x_Product, x_Operation, x_Grain, x_IsComplete,
       cast(credits_per_unit * ConsumedQuantity as {{ money }}) as x_Credits
from priced
