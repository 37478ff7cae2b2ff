"""`--notify URL`: the open alerts delivered through Apprise, each once (docs/answers.md, "Alerts")."""
