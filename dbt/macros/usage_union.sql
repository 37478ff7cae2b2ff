{#- The parts (stream name → SELECT over that stream's table) whose tables exist, joined by UNION ALL, or `empty`
    when none does: a sync of some vendors only writes some of the tables. -#}
{% macro usage_union(parts, empty) -%}
{%- set present = [] -%}
{%- for stream, part in parts.items() -%}
  {%- if not execute or load_relation(source('usage', stream)) is not none -%}
    {%- do present.append(part) -%}
  {%- endif -%}
{%- endfor -%}
{%- if present -%}
{{ present | join('\nunion all\n') }}
{%- else -%}
{{ empty }}
{%- endif -%}
{%- endmacro %}
