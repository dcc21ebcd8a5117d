"""The subsidy's models moved to their own app, `conseillers.subsidy` (label "subsidy").

State only: the tables, their rows and their triggers stay where they are (the new models keep
the table names through `db_table`); `subsidy.0001_initial` declares them again in its app.
Deleted from the state in the order that leaves no reference to a model already gone.
"""

from django.db import migrations

MOVED = [
    "JustificationDocument",
    "Justification",
    "Payment",
    "SubsidyTransition",
    "Tranche",
    "Recovery",
    "Subvention",
    "Convention",
    "RegimeTranche",
    "Regime",
]


class Migration(migrations.Migration):
    dependencies = [("conseillers", "0006_subsidy_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        )
    ]
