"""The candidatures' and matches' logs take the one transition-log shape (`core.transitions`): a
system actor besides a person, exactly one of them per row, and the database refuses UPDATE and
DELETE of their rows (`core.append_only`). Existing rows keep their author; `system` is empty.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.append_only

MESSAGE = "Le journal des changements d'état est en ajout seul"


class Migration(migrations.Migration):

    dependencies = [
        ('conseillers', '0007_subsidy_moved_to_its_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='candidaturetransition',
            name='system',
            field=models.CharField(blank=True, max_length=100, verbose_name='tâche du système'),
        ),
        migrations.AddField(
            model_name='matchtransition',
            name='system',
            field=models.CharField(blank=True, max_length=100, verbose_name='tâche du système'),
        ),
        migrations.AlterField(
            model_name='candidaturetransition',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='le'),
        ),
        migrations.AlterField(
            model_name='candidaturetransition',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='par'),
        ),
        migrations.AlterField(
            model_name='candidaturetransition',
            name='candidature',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='conseillers.candidature'),
        ),
        migrations.AlterField(
            model_name='matchtransition',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='le'),
        ),
        migrations.AlterField(
            model_name='matchtransition',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='par'),
        ),
        migrations.AlterField(
            model_name='matchtransition',
            name='match',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='conseillers.match'),
        ),
        migrations.AddConstraint(
            model_name='candidaturetransition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('by__isnull', False), ('system', '')), models.Q(('by__isnull', True), models.Q(('system', ''), _negated=True)), _connector='OR'), name='conseillers_candidaturetransition_one_actor'),
        ),
        migrations.AddConstraint(
            model_name='matchtransition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('by__isnull', False), ('system', '')), models.Q(('by__isnull', True), models.Q(('system', ''), _negated=True)), _connector='OR'), name='conseillers_matchtransition_one_actor'),
        ),
        # Last: on SQLite each operation above rebuilds the table, which drops its triggers.
        core.append_only.AppendOnly(model_name="candidaturetransition", message=MESSAGE),
        core.append_only.AppendOnly(model_name="matchtransition", message=MESSAGE),
    ]
