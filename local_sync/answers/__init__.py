"""What a sync answers: the dbt models rendered and built, and the views the summary, report and alerts read."""
