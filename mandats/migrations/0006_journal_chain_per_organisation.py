"""The journal becomes one chain per organisation, plus the national chain of the entries that
name no organisation.

Nothing already written is rewritten (the journal is append-only, and its seals and checkpoints
prove it): every existing entry goes to the national chain (`chain` = 0), whose beginning it
becomes, with its sequence, links and seal unchanged, so the checkpoints already written still
match. The cut-over records the last of them: up to it the national chain's entries keep the
sealed form they were written in; every later entry seals its chain. Each organisation's chain
starts from the genesis at its first new entry. SQLite rebuilds the table when the unique
constraint changes, losing its triggers: the guards are installed again.
"""

from django.conf import settings
from django.db import migrations, models

import core.append_only

JOURNAL_MESSAGE = "Le journal Aidants Connect est en ajout seul"
CUTOVER_MESSAGE = "La bascule du journal en chaînes est en ajout seul"


def record_cutover(apps, schema_editor) -> None:
    JournalEntry = apps.get_model("mandats", "JournalEntry")
    JournalChainCutover = apps.get_model("mandats", "JournalChainCutover")
    last = JournalEntry.objects.aggregate(last=models.Max("sequence"))["last"] or 0
    JournalChainCutover.objects.create(last_national_sequence=last)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_outbox_message'),
        ('mandats', '0005_usager_search_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='JournalAnchorRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('anchored_at', models.DateTimeField(verbose_name='ancré le')),
                ('name', models.CharField(max_length=100, verbose_name="point d'ancrage")),
                ('heads', models.JSONField(default=dict, verbose_name='têtes ancrées (numéro par chaîne)')),
            ],
            options={
                'verbose_name': 'ancrage du journal',
                'verbose_name_plural': 'ancrages du journal',
                'ordering': ['-anchored_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='JournalChainCutover',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_national_sequence', models.PositiveBigIntegerField(verbose_name='dernier numéro de la chaîne unique')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='enregistrée le')),
            ],
            options={
                'verbose_name': 'bascule du journal en chaînes par organisation',
                'verbose_name_plural': 'bascules du journal en chaînes par organisation',
            },
        ),
        migrations.AlterModelOptions(
            name='journalentry',
            options={'ordering': ['pk'], 'verbose_name': 'entrée du journal', 'verbose_name_plural': 'entrées du journal'},
        ),
        migrations.AddField(
            model_name='journalentry',
            name='chain',
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name='chaîne'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, verbose_name='numéro dans la chaîne'),
        ),
        migrations.AddIndex(
            model_name='journalentry',
            index=models.Index(fields=['created_at'], name='journalentry_created_at'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.UniqueConstraint(fields=('chain', 'sequence'), name='journalentry_one_sequence_per_chain'),
        ),
        migrations.RunPython(record_cutover, migrations.RunPython.noop, elidable=False),
        core.append_only.AppendOnly(model_name="journalentry", message=JOURNAL_MESSAGE, refuse_truncate=True),
        core.append_only.AppendOnly(model_name="journalchaincutover", message=CUTOVER_MESSAGE, refuse_truncate=True),
    ]
