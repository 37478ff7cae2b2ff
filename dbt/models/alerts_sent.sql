{{ config(materialized='incremental', full_refresh=false) }}
{#- The alerts `python -m local_sync --notify URL` has delivered (docs/answers.md, "Alerts"), kept across builds:
    dbt creates it empty and never rebuilds it (not even with --full-refresh); the sync appends a row per alert and
    notification target it reaches, and sets closed_at once the alert is no longer open, so a reopened alert is
    sent again. An alert is sent again while open only when its key (kind, vendor, subject, unit, threshold)
    changes, i.e. when it crosses a new threshold. `target` is a hash of the notification URL (never the URL: it
    holds a secret), `scheme` the URL's scheme. -#}
{%- set string = dbt.type_string() -%}
{%- set number = dbt.type_numeric() -%}

with sent as (
    select cast(null as {{ string }}) as kind, cast(null as {{ string }}) as vendor, cast(null as {{ string }}) as subject,
           cast(null as {{ string }}) as unit, cast(null as {{ number }}) as threshold, cast(null as {{ number }}) as value,
           cast(null as {{ string }}) as target, cast(null as {{ string }}) as scheme,
           cast(null as {{ dbt.type_timestamp() }}) as sent_at, cast(null as {{ dbt.type_timestamp() }}) as closed_at
)

select * from sent
where 1 = 0
