{{ config(materialized='view') }}
{#- What Leaf bills on, per contract, product, Leaf user and month: "Leaf User Level: individual user processing
    (includes overlaps, used for billing)" (providers.md, Leaf). `basis` says which figure that is:
    - `new area`: the new area the user processed in the month (every product but AUDIT_FIELDS_BOUNDARY);
    - `area to date`: for AUDIT_FIELDS_BOUNDARY, which counts a current total, the user's area to date at the
      month's last figure, standing in each later month of the contract until the user's next figure.
    Each contract tracks one product and one unit; UNIFIED_AREA (is_rollup) recounts the other products' area and
    is never added to them. Nothing here adds up products, units, or levels over days. -#}
with by_user as (
    select BillingAccountId as contract_id, x_Product as product, x_IsRollup as is_rollup,
           SubAccountId as leaf_user_id, ConsumedUnit as unit, month,
           sum(case when x_Metric = 'new area by user' then ConsumedQuantity end) as new_area,
           sum(case when x_Metric = 'area to date by user' then ConsumedQuantity end) as area_to_date,
           min(case when x_IsComplete then 1 else 0 end) as final
    from {{ ref('usage_monthly') }}
    where ServiceProviderName = 'Leaf' and SubAccountId is not null
    group by BillingAccountId, x_Product, x_IsRollup, SubAccountId, ConsumedUnit, month
),

contract_months as (
    select BillingAccountId as contract_id, month, min(case when x_IsComplete then 1 else 0 end) as final
    from {{ ref('usage_monthly') }}
    where ServiceProviderName = 'Leaf'
    group by BillingAccountId, month
),

levels as (
    select months.contract_id, levels.product, levels.is_rollup, levels.leaf_user_id, levels.unit, months.month,
           case when levels.month = months.month then levels.new_area end as new_area,
           levels.area_to_date, months.final,
           row_number() over (partition by months.contract_id, levels.leaf_user_id, months.month
                              order by levels.month desc) as latest_first
    from contract_months as months
    join by_user as levels
      on levels.contract_id = months.contract_id and levels.month <= months.month
    where levels.product = 'AUDIT_FIELDS_BOUNDARY' and levels.area_to_date is not null
),

billable as (
    select contract_id, product, is_rollup, leaf_user_id, unit, month, 'new area' as basis,
           new_area as billable_area, new_area, area_to_date, final
    from by_user
    where coalesce(product, '') <> 'AUDIT_FIELDS_BOUNDARY' and new_area is not null
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
