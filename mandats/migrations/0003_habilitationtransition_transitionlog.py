"""HabilitationTransition takes the one transition-log shape (core.transitions.TransitionLog):
from_status/to_status become from_state/to_state, the transition's name and the system actor are
added, existing rows keep their data, and the database refuses UPDATE and DELETE of its rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.append_only

# The transition that led to each state, for the rows written before the name was logged.
TRANSITION_TO = {"submitted": "submit", "validated": "validate", "refused": "refuse"}


def name_past_transitions(apps, schema_editor):
    HabilitationTransition = apps.get_model("mandats", "HabilitationTransition")
    for to_state, transition in TRANSITION_TO.items():
        HabilitationTransition.objects.filter(to_state=to_state).update(transition=transition)


class Migration(migrations.Migration):
    dependencies = [
        ("mandats", "0002_journal_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("habilitationtransition", "from_status", "from_state"),
        migrations.RenameField("habilitationtransition", "to_status", "to_state"),
        migrations.AlterField(
            model_name="habilitationtransition",
            name="from_state",
            field=models.CharField(max_length=30, verbose_name="depuis"),
        ),
        migrations.AlterField(
            model_name="habilitationtransition",
            name="to_state",
            field=models.CharField(max_length=30, verbose_name="vers"),
        ),
        migrations.AddField(
            model_name="habilitationtransition",
            name="transition",
            field=models.CharField(default="", max_length=50, verbose_name="transition"),
            preserve_default=False,
        ),
        migrations.RunPython(name_past_transitions, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="habilitationtransition",
            name="system",
            field=models.CharField(blank=True, max_length=100, verbose_name="tâche du système"),
        ),
        migrations.AlterField(
            model_name="habilitationtransition",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="par",
            ),
        ),
        migrations.AlterField(
            model_name="habilitationtransition",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transitions",
                to="mandats.habilitationrequest",
                verbose_name="demande",
            ),
        ),
        migrations.AddConstraint(
            model_name="habilitationtransition",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("by__isnull", False), ("system", "")),
                    models.Q(("by__isnull", True), models.Q(("system", ""), _negated=True)),
                    _connector="OR",
                ),
                name="mandats_habilitationtransition_one_actor",
            ),
        ),
        # Last: every alteration above may rebuild the table on SQLite, dropping its triggers.
        core.append_only.AppendOnly(
            model_name="habilitationtransition",
            message="Le journal des changements d'état est en ajout seul",
        ),
    ]
