{{ config(materialized='view') }}
{#- What Leaf bills on, per contract, product, Leaf user and month: "Leaf User Level: individual user processing
    (includes overlaps, used for billing)" (providers.md, Leaf). `basis` says which figure that is:
    - `new area`: the new area the user processed in the month (every product but AUDIT_FIELDS_BOUNDARY);
    - `area to date`: for AUDIT_FIELDS_BOUNDARY, which counts a current total, the user's area to date at the
      month's last figure, standing in each later month of the contract until the user's next figure.
    Each contract tracks one product and one unit; UNIFIED_AREA (is_rollup) recounts the other products' area and
    is never added to them. Nothing here adds up products, units, or levels over days.
    AUDIT_FIELDS_BOUNDARY is read from usage_overview on its own, so a reader of its rows (focus_charges) reads no
    other product's figures. -#}
with by_user as (
    select BillingAccountId as contract_id, x_Product as product, x_IsRollup as is_rollup,
           SubAccountId as leaf_user_id, ConsumedUnit as unit, month,
           sum(case when x_Metric = 'new area by user' then ConsumedQuantity end) as new_area,
           sum(case when x_Metric = 'area to date by user' then ConsumedQuantity end) as area_to_date,
           min(case when x_IsComplete then 1 else 0 end) as final
    from {{ ref('usage_monthly') }}
    where ServiceProviderName = 'Leaf' and SubAccountId is not null
      and coalesce(x_Product, '') <> 'AUDIT_FIELDS_BOUNDARY'
    group by BillingAccountId, x_Product, x_IsRollup, SubAccountId, ConsumedUnit, month
),

audit as (
    select BillingAccountId as contract_id, x_Product as product, x_IsRollup as is_rollup,
           SubAccountId as leaf_user_id, ConsumedUnit as unit, x_Metric, ConsumedQuantity, x_IsComplete,
           ChargePeriodStart, cast({{ dbt.date_trunc('month', 'ChargePeriodStart') }} as date) as month
    from {{ ref('usage_overview') }}
    where ServiceProviderName = 'Leaf' and x_Product = 'AUDIT_FIELDS_BOUNDARY'
),

audit_users as (
    select contract_id, product, is_rollup, leaf_user_id, unit, month,
           sum(case when x_Metric = 'new area by user' then ConsumedQuantity end) as new_area,
           sum(case when x_Metric = 'area to date by user' and latest_first = 1 then ConsumedQuantity end)
               as area_to_date
    from (
        select audit.*,
               row_number() over (partition by contract_id, leaf_user_id, x_Metric, month
                                  order by ChargePeriodStart desc) as latest_first
        from audit
        where leaf_user_id is not null
    ) as ranked
    group by contract_id, product, is_rollup, leaf_user_id, unit, month
),

{#- each AUDIT contract's months with a figure: final as in usage_monthly, every figure final and the month over
    before the lookback window of Leaf's last read -#}
contract_months as (
    select contract_id, month,
           case when min(case when x_IsComplete then 1 else 0 end) = 1
                 and {{ dbt.dateadd('month', 1, 'month') }} <= {{ dbt.dateadd('day', -var('lookback_days', 3),
                     "(select max(x_ReadOn) from " ~ ref('usage_overview') ~ " where ServiceProviderName = 'Leaf')") }}
                then 1 else 0 end as final
    from audit
    group by contract_id, month
),

levels as (
    select months.contract_id, levels.product, levels.is_rollup, levels.leaf_user_id, levels.unit, months.month,
           case when levels.month = months.month then levels.new_area end as new_area,
           levels.area_to_date, months.final,
           row_number() over (partition by months.contract_id, levels.leaf_user_id, months.month
                              order by levels.month desc) as latest_first
    from contract_months as months
    join audit_users as levels
      on levels.contract_id = months.contract_id and levels.month <= months.month
    where levels.area_to_date is not null
),

billable as (
    select contract_id, product, is_rollup, leaf_user_id, unit, month, 'new area' as basis,
           new_area as billable_area, new_area, area_to_date, final
    from by_user
    where new_area is not null
    union all
    select contract_id, product, is_rollup, leaf_user_id, unit, month, 'area to date' as basis,
           area_to_date as billable_area, new_area, area_to_date, final
    from levels
    where latest_first = 1
)

select contract_id, product, is_rollup, leaf_user_id, unit, month, basis,
       cast(billable_area as {{ dbt.type_numeric() }}) as billable_area,
       cast(new_area as {{ dbt.type_numeric() }}) as new_area,
       cast(area_to_date as {{ dbt.type_numeric() }}) as area_to_date,
       final = 1 as x_IsComplete
from billable
