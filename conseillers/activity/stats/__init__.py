"""The figures of the activity reports: aggregates kept current, statistics at every scale, open
data. An app of its own (label `activity_stats`): it reads the activity app, which never imports
it."""
