"""The subsidy's models, moved here from the conseillers app (conseillers.0007 removed them from
its state). State only: their tables keep their names (`db_table`), rows and triggers, so nothing
runs on the database but the move of their content types, which keeps the admin history and the
permissions attached to them.
"""

import conseillers.subsidy.models
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


STATE_OPERATIONS = [
    migrations.CreateModel(
        name="Regime",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("code", models.SlugField(unique=True, verbose_name="code")),
            ("name", models.CharField(max_length=200, verbose_name="nom")),
            ("description", models.TextField(blank=True, verbose_name="description")),
            (
                "duration_months",
                models.PositiveSmallIntegerField(
                    validators=[
                        django.core.validators.MinValueValidator(1),
                        django.core.validators.MaxValueValidator(120),
                    ],
                    verbose_name="durée (mois)",
                ),
            ),
            (
                "total_cents",
                models.PositiveBigIntegerField(
                    blank=True,
                    help_text="Base des tranches exprimées en pourcentage ; vide si les tranches sont des montants.",
                    null=True,
                    verbose_name="montant total par poste (centimes)",
                ),
            ),
            (
                "vacancy_window_months",
                models.PositiveSmallIntegerField(
                    default=6,
                    help_text="Un poste vacant rempli dans ce délai garde la suite de son échéancier.",
                    verbose_name="délai de remplacement (mois)",
                ),
            ),
            (
                "is_default",
                models.BooleanField(
                    default=False,
                    help_text="Appliqué à la convention signée automatiquement au premier recrutement validé.",
                    verbose_name="régime par défaut des nouvelles conventions",
                ),
            ),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
        ],
        options={
            "verbose_name": "régime de subvention",
            "verbose_name_plural": "régimes de subvention",
            "db_table": "conseillers_regime",
            "ordering": ["created_at", "pk"],
            "constraints": [
                models.UniqueConstraint(
                    condition=models.Q(("is_default", True)),
                    fields=("is_default",),
                    name="regime_one_default",
                ),
                models.CheckConstraint(
                    condition=models.Q(("duration_months__gte", 1)), name="regime_duration_positive"
                ),
            ],
        },
    ),
    migrations.CreateModel(
        name="Convention",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("number", models.CharField(max_length=30, unique=True, verbose_name="numéro")),
            ("signed_on", models.DateField(verbose_name="signée le")),
            ("public", models.BooleanField(verbose_name="structure publique")),
            ("bonus", models.BooleanField(verbose_name="bonification QPV/ZRR")),
            ("posts", models.PositiveIntegerField(verbose_name="postes couverts à la signature")),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="enregistrée le")),
            (
                "candidature",
                models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="convention",
                    to="conseillers.candidature",
                    verbose_name="candidature",
                ),
            ),
            (
                "signed_by",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="par",
                ),
            ),
            (
                "structure",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="conventions",
                    to="core.structure",
                    verbose_name="structure",
                ),
            ),
            (
                "regime",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="conventions",
                    to="subsidy.regime",
                    verbose_name="régime",
                ),
            ),
        ],
        options={
            "verbose_name": "convention",
            "db_table": "conseillers_convention",
            "ordering": ["-signed_on", "-pk"],
        },
    ),
    migrations.CreateModel(
        name="Subvention",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "total_cents",
                models.PositiveBigIntegerField(verbose_name="montant total du poste (centimes)"),
            ),
            ("duration_months", models.PositiveSmallIntegerField(verbose_name="durée (mois)")),
            (
                "vacancy_window_months",
                models.PositiveSmallIntegerField(verbose_name="délai de remplacement (mois)"),
            ),
            ("started_on", models.DateField(verbose_name="début du service subventionné")),
            ("holder_started_on", models.DateField(verbose_name="début du service du titulaire")),
            (
                "months_carried",
                models.PositiveSmallIntegerField(
                    default=0, verbose_name="mois de service des titulaires précédents"
                ),
            ),
            ("ends_on", models.DateField(verbose_name="fin prévue du service subventionné")),
            ("vacant_since", models.DateField(blank=True, null=True, verbose_name="vacant depuis")),
            (
                "vacancy_deadline",
                models.DateField(blank=True, null=True, verbose_name="à remplacer avant le"),
            ),
            (
                "state",
                django_fsm.FSMField(
                    choices=[
                        ("en_cours", "En cours"),
                        ("suspendue", "Suspendue (poste vacant)"),
                        ("soldee", "Soldée"),
                    ],
                    default="en_cours",
                    max_length=20,
                    protected=True,
                    verbose_name="état",
                ),
            ),
            ("closed_on", models.DateField(blank=True, null=True, verbose_name="soldée le")),
            (
                "months_served",
                models.PositiveSmallIntegerField(
                    blank=True, null=True, verbose_name="mois de service"
                ),
            ),
            (
                "earned_cents",
                models.PositiveBigIntegerField(
                    blank=True, null=True, verbose_name="droits acquis (centimes)"
                ),
            ),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="ouverte le")),
            (
                "convention",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="subventions",
                    to="subsidy.convention",
                    verbose_name="convention",
                ),
            ),
            (
                "holder",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="subventions",
                    to="conseillers.match",
                    verbose_name="conseiller dont le service est suivi",
                ),
            ),
            (
                "post",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="subventions",
                    to="conseillers.post",
                    verbose_name="poste",
                ),
            ),
            (
                "structure",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="subventions",
                    to="core.structure",
                    verbose_name="structure",
                ),
            ),
        ],
        options={
            "verbose_name": "subvention d'un poste",
            "verbose_name_plural": "subventions des postes",
            "db_table": "conseillers_subvention",
            "ordering": ["convention", "post"],
        },
        bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
    ),
    migrations.CreateModel(
        name="Recovery",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("amount_cents", models.PositiveBigIntegerField(verbose_name="montant (centimes)")),
            ("reason", models.TextField(verbose_name="motif")),
            (
                "state",
                django_fsm.FSMField(
                    choices=[
                        ("a_reclamer", "À réclamer"),
                        ("reclame", "Titre de recette émis"),
                        ("recouvre", "Recouvré"),
                    ],
                    default="a_reclamer",
                    max_length=20,
                    protected=True,
                    verbose_name="état",
                ),
            ),
            (
                "claim_reference",
                models.CharField(
                    blank=True, max_length=100, verbose_name="référence du titre de recette"
                ),
            ),
            ("claimed_on", models.DateField(blank=True, null=True, verbose_name="réclamé le")),
            ("recovered_on", models.DateField(blank=True, null=True, verbose_name="recouvré le")),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="constaté le")),
            (
                "structure",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="recoveries",
                    to="core.structure",
                    verbose_name="structure",
                ),
            ),
            (
                "subvention",
                models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="recovery",
                    to="subsidy.subvention",
                    verbose_name="subvention",
                ),
            ),
        ],
        options={
            "verbose_name": "reversement",
            "db_table": "conseillers_recovery",
            "ordering": ["-created_at", "-pk"],
        },
        bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
    ),
    migrations.CreateModel(
        name="Tranche",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("rank", models.PositiveSmallIntegerField(verbose_name="rang")),
            ("label", models.CharField(max_length=200, verbose_name="libellé")),
            (
                "initial_amount_cents",
                models.PositiveBigIntegerField(verbose_name="montant prévu (centimes)"),
            ),
            ("amount_cents", models.PositiveBigIntegerField(verbose_name="montant (centimes)")),
            (
                "trigger",
                models.CharField(
                    choices=[
                        ("recrutement_valide", "Validation du recrutement"),
                        ("mois_atteint", "Mois de service atteint"),
                        ("justificatif_accepte", "Justificatif accepté"),
                    ],
                    max_length=30,
                    verbose_name="déclencheur",
                ),
            ),
            ("month", models.PositiveSmallIntegerField(verbose_name="mois de service")),
            (
                "justification",
                models.CharField(
                    choices=[
                        ("aucun", "Aucun justificatif"),
                        ("activite", "Justificatif d'activité"),
                        ("final", "Justificatif final"),
                    ],
                    max_length=10,
                    verbose_name="justificatif demandé",
                ),
            ),
            ("due_on", models.DateField(verbose_name="échéance")),
            (
                "state",
                django_fsm.FSMField(
                    choices=[
                        ("prevue", "Prévue"),
                        ("bloquee", "Bloquée"),
                        ("due", "Due"),
                        ("justificatif_depose", "Justificatif déposé"),
                        ("a_corriger", "À corriger"),
                        ("approuvee", "Approuvée, à payer"),
                        ("payee", "Payée"),
                        ("annulee", "Annulée"),
                    ],
                    default="prevue",
                    max_length=30,
                    protected=True,
                    verbose_name="état",
                ),
            ),
            ("blocked_reason", models.TextField(blank=True, verbose_name="motif du blocage")),
            (
                "reminded_at",
                models.DateTimeField(blank=True, null=True, verbose_name="dernière relance le"),
            ),
            (
                "state_changed_at",
                models.DateTimeField(
                    default=django.utils.timezone.now, verbose_name="état modifié le"
                ),
            ),
            (
                "subvention",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="tranches",
                    to="subsidy.subvention",
                    verbose_name="subvention",
                ),
            ),
        ],
        options={
            "verbose_name": "tranche",
            "db_table": "conseillers_tranche",
            "ordering": ["subvention", "rank"],
        },
        bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
    ),
    migrations.CreateModel(
        name="SubsidyTransition",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("transition", models.CharField(max_length=30, verbose_name="transition")),
            ("from_state", models.CharField(max_length=30, verbose_name="depuis")),
            ("to_state", models.CharField(max_length=30, verbose_name="vers")),
            (
                "system",
                models.CharField(blank=True, max_length=100, verbose_name="tâche du système"),
            ),
            ("reason", models.TextField(blank=True, verbose_name="motif")),
            ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="le")),
            (
                "by",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="par",
                ),
            ),
            (
                "recovery",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="transitions",
                    to="subsidy.recovery",
                ),
            ),
            (
                "subvention",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="transitions",
                    to="subsidy.subvention",
                ),
            ),
            (
                "tranche",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="transitions",
                    to="subsidy.tranche",
                ),
            ),
        ],
        options={
            "verbose_name": "changement d'état (subventions)",
            "verbose_name_plural": "journal des subventions",
            "db_table": "conseillers_subsidytransition",
            "ordering": ["at", "pk"],
        },
    ),
    migrations.CreateModel(
        name="Payment",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "kind",
                models.CharField(
                    choices=[("paiement", "Paiement"), ("correction", "Correction")],
                    default="paiement",
                    max_length=10,
                    verbose_name="nature",
                ),
            ),
            ("amount_cents", models.BigIntegerField(verbose_name="montant (centimes)")),
            ("reference", models.CharField(max_length=100, verbose_name="référence du paiement")),
            ("paid_on", models.DateField(verbose_name="payé le")),
            ("reason", models.TextField(blank=True, verbose_name="motif")),
            (
                "system",
                models.CharField(
                    blank=True, max_length=100, verbose_name="enregistré par le système"
                ),
            ),
            (
                "recorded_at",
                models.DateTimeField(
                    default=django.utils.timezone.now, verbose_name="enregistré le"
                ),
            ),
            (
                "corrects",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="corrections",
                    to="subsidy.payment",
                    verbose_name="corrige",
                ),
            ),
            (
                "recorded_by",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="enregistré par",
                ),
            ),
            (
                "tranche",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="payments",
                    to="subsidy.tranche",
                    verbose_name="tranche",
                ),
            ),
        ],
        options={
            "verbose_name": "paiement",
            "db_table": "conseillers_payment",
            "ordering": ["paid_on", "pk"],
        },
    ),
    migrations.CreateModel(
        name="Justification",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            ("comment", models.TextField(blank=True, verbose_name="commentaire")),
            ("submitted_at", models.DateTimeField(auto_now_add=True, verbose_name="déposé le")),
            (
                "submitted_by",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="par",
                ),
            ),
            (
                "tranche",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="justifications",
                    to="subsidy.tranche",
                ),
            ),
        ],
        options={
            "verbose_name": "justificatif",
            "db_table": "conseillers_justification",
            "ordering": ["-submitted_at", "-pk"],
        },
    ),
    migrations.CreateModel(
        name="JustificationDocument",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "kind",
                models.CharField(
                    choices=[
                        ("rapport_activite", "Rapport d'activité"),
                        ("bulletins_salaire", "Bulletins de salaire du conseiller"),
                        ("bilan_final", "Bilan final d'activité"),
                    ],
                    max_length=20,
                    verbose_name="pièce",
                ),
            ),
            (
                "file",
                models.FileField(
                    upload_to=conseillers.subsidy.models.justification_path,
                    verbose_name="fichier PDF",
                ),
            ),
            ("size", models.PositiveIntegerField(verbose_name="taille (octets)")),
            (
                "justification",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="documents",
                    to="subsidy.justification",
                ),
            ),
        ],
        options={
            "verbose_name": "pièce justificative",
            "verbose_name_plural": "pièces justificatives",
            "db_table": "conseillers_justificationdocument",
            "constraints": [
                models.UniqueConstraint(
                    fields=("justification", "kind"), name="justification_document_once_per_kind"
                )
            ],
        },
    ),
    migrations.CreateModel(
        name="RegimeTranche",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "audience",
                models.CharField(
                    choices=[
                        ("toutes", "Toutes les structures"),
                        ("publique", "Structures publiques"),
                        ("privee", "Structures privées"),
                    ],
                    default="toutes",
                    max_length=10,
                    verbose_name="structures concernées",
                ),
            ),
            (
                "rank",
                models.PositiveSmallIntegerField(
                    validators=[django.core.validators.MinValueValidator(1)], verbose_name="rang"
                ),
            ),
            ("label", models.CharField(max_length=200, verbose_name="libellé")),
            (
                "share_bp",
                models.PositiveIntegerField(
                    blank=True,
                    null=True,
                    validators=[django.core.validators.MaxValueValidator(10000)],
                    verbose_name="part du total (points de base, 4000 = 40 %)",
                ),
            ),
            (
                "amount_cents",
                models.PositiveBigIntegerField(
                    blank=True, null=True, verbose_name="montant (centimes)"
                ),
            ),
            (
                "bonus_cents",
                models.PositiveBigIntegerField(
                    default=0,
                    help_text="Ajoutée quand la structure est en QPV ou en ZRR.",
                    verbose_name="bonification QPV/ZRR (centimes)",
                ),
            ),
            (
                "trigger",
                models.CharField(
                    choices=[
                        ("recrutement_valide", "Validation du recrutement"),
                        ("mois_atteint", "Mois de service atteint"),
                        ("justificatif_accepte", "Justificatif accepté"),
                    ],
                    max_length=30,
                    verbose_name="déclencheur",
                ),
            ),
            (
                "month",
                models.PositiveSmallIntegerField(
                    default=0,
                    help_text="0 : dès le début du contrat.",
                    verbose_name="mois de service",
                ),
            ),
            (
                "justification",
                models.CharField(
                    choices=[
                        ("aucun", "Aucun justificatif"),
                        ("activite", "Justificatif d'activité"),
                        ("final", "Justificatif final"),
                    ],
                    default="aucun",
                    max_length=10,
                    verbose_name="justificatif demandé",
                ),
            ),
            (
                "regime",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="lines",
                    to="subsidy.regime",
                ),
            ),
        ],
        options={
            "verbose_name": "tranche d'un régime",
            "verbose_name_plural": "tranches des régimes",
            "db_table": "conseillers_regimetranche",
            "ordering": ["regime", "audience", "rank"],
            "constraints": [
                models.UniqueConstraint(
                    fields=("regime", "audience", "rank"), name="regime_tranche_unique_rank"
                ),
                models.CheckConstraint(
                    condition=models.Q(
                        models.Q(("share_bp__isnull", False), ("amount_cents__isnull", True)),
                        models.Q(("share_bp__isnull", True), ("amount_cents__isnull", False)),
                        _connector="OR",
                    ),
                    name="regime_tranche_share_or_amount",
                    violation_error_message="Une tranche a soit une part du total, soit un montant.",
                ),
                models.CheckConstraint(
                    condition=models.Q(
                        models.Q(("trigger", "justificatif_accepte"), _negated=True),
                        models.Q(("justification", "aucun"), _negated=True),
                        _connector="OR",
                    ),
                    name="regime_tranche_justification_trigger_has_one",
                    violation_error_message="Une tranche déclenchée par un justificatif en demande un.",
                ),
            ],
        },
    ),
    migrations.AddIndex(
        model_name="subvention",
        index=models.Index(fields=["state", "ends_on"], name="subvention_state_ends"),
    ),
    migrations.AddIndex(
        model_name="subvention",
        index=models.Index(fields=["state", "vacancy_deadline"], name="subvention_state_deadline"),
    ),
    migrations.AddConstraint(
        model_name="subvention",
        constraint=models.UniqueConstraint(
            fields=("convention", "post"), name="subvention_once_per_post"
        ),
    ),
    migrations.AddConstraint(
        model_name="subvention",
        constraint=models.UniqueConstraint(
            condition=models.Q(("state", "soldee"), _negated=True),
            fields=("post",),
            name="subvention_one_open_per_post",
        ),
    ),
    migrations.AddConstraint(
        model_name="subvention",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("earned_cents__isnull", True),
                ("earned_cents__lte", models.F("total_cents")),
                _connector="OR",
            ),
            name="subvention_earned_within_total",
        ),
    ),
    migrations.AddConstraint(
        model_name="recovery",
        constraint=models.CheckConstraint(
            condition=models.Q(("amount_cents__gt", 0)), name="recovery_positive"
        ),
    ),
    migrations.AddIndex(
        model_name="tranche",
        index=models.Index(fields=["state", "due_on"], name="tranche_state_due"),
    ),
    migrations.AddConstraint(
        model_name="tranche",
        constraint=models.UniqueConstraint(
            fields=("subvention", "rank"), name="tranche_unique_rank"
        ),
    ),
    migrations.AddConstraint(
        model_name="tranche",
        constraint=models.CheckConstraint(
            condition=models.Q(("amount_cents__lte", models.F("initial_amount_cents"))),
            name="tranche_amount_within_initial",
        ),
    ),
    migrations.AddConstraint(
        model_name="subsidytransition",
        constraint=models.CheckConstraint(
            condition=models.Q(
                models.Q(
                    ("recovery__isnull", True),
                    ("subvention__isnull", True),
                    ("tranche__isnull", False),
                ),
                models.Q(
                    ("recovery__isnull", True),
                    ("subvention__isnull", False),
                    ("tranche__isnull", True),
                ),
                models.Q(
                    ("recovery__isnull", False),
                    ("subvention__isnull", True),
                    ("tranche__isnull", True),
                ),
                _connector="OR",
            ),
            name="subsidy_transition_one_target",
        ),
    ),
    migrations.AddConstraint(
        model_name="subsidytransition",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("by__isnull", False), models.Q(("system", ""), _negated=True), _connector="OR"
            ),
            name="subsidy_transition_has_an_actor",
        ),
    ),
    migrations.AddConstraint(
        model_name="payment",
        constraint=models.UniqueConstraint(
            condition=models.Q(("kind", "paiement")),
            fields=("tranche",),
            name="payment_once_per_tranche",
        ),
    ),
    migrations.AddConstraint(
        model_name="payment",
        constraint=models.CheckConstraint(
            condition=models.Q(
                models.Q(("kind", "paiement"), ("amount_cents__gt", 0), ("corrects__isnull", True)),
                models.Q(
                    ("kind", "correction"),
                    ("corrects__isnull", False),
                    models.Q(("reason", ""), _negated=True),
                ),
                _connector="OR",
            ),
            name="payment_positive_correction_explained",
        ),
    ),
    migrations.AddConstraint(
        model_name="payment",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("recorded_by__isnull", False),
                models.Q(("system", ""), _negated=True),
                _connector="OR",
            ),
            name="payment_has_an_author",
        ),
    ),
]


MOVED = [
    "regime",
    "regimetranche",
    "convention",
    "subvention",
    "tranche",
    "justification",
    "justificationdocument",
    "payment",
    "recovery",
    "subsidytransition",
]


def _relabel(apps, *, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    # A row already under the new label (made by some earlier post_migrate) carries no history
    # yet: the old row, which carries it, wins.
    taken = content_type.objects.filter(app_label=new, model__in=MOVED)
    moving = content_type.objects.filter(app_label=old, model__in=MOVED)
    taken.filter(model__in=moving.values("model")).delete()
    moving.update(app_label=new)


def content_types_forward(apps, schema_editor) -> None:
    _relabel(apps, old="conseillers", new="subsidy")


def content_types_backward(apps, schema_editor) -> None:
    _relabel(apps, old="subsidy", new="conseillers")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("conseillers", "0007_subsidy_moved_to_its_app"),
        ("core", "0002_load_territories"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=STATE_OPERATIONS, database_operations=[]
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
