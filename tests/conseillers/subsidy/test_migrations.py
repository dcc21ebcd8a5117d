"""A database migrated from the schema before the subsidy became its own app (`subsidy` label)
migrates forward without losing a row: the models moved, their tables, rows and triggers did not.

Each test leaves the database migrated to the latest migrations, whatever happens in it.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from conseillers.models import Candidat, CandidatureState, MatchState
from conseillers.subsidy.models import (
    Convention,
    Payment,
    Regime,
    SubsidyTransition,
    Subvention,
    Tranche,
    TrancheState,
)
from core.models import User
from tests.conseillers.factories import CandidatureFactory, MatchFactory
from tests.factories import UserFactory

# The last migrations of main before the subsidy moved to its app.
LAST_BEFORE_THE_MOVE = ("conseillers", "0006_subsidy_triggers")
BEFORE_THE_MOVE = [LAST_BEFORE_THE_MOVE, ("subsidy", None)]
SIGNED_ON = datetime.date(2024, 3, 1)


@dataclass
class OldRows:
    regime_id: int
    convention_id: int
    subvention_id: int
    tranche_id: int
    payment_id: int
    transition_id: int
    log_entry_id: int
    clerk_id: int


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The loader read the applied migrations before migrating: read them again.
    return MigrationExecutor(connection)


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _insert_with_historical_models(apps, anct) -> OldRows:
    """The subsidy rows, written through the models as they were declared before the move."""
    regime = apps.get_model("conseillers", "Regime").objects.create(
        code="regime-historique", name="Régime historique", duration_months=24
    )
    # The decision through the historical model: the current Decision has columns added since.
    candidature = CandidatureFactory(state=CandidatureState.VALIDATED)
    apps.get_model("conseillers", "Decision").objects.create(
        candidature_id=candidature.pk,
        kind="initiale",
        posts_granted=1,
        number="COSELEC-HIST-1",
        decided_on=SIGNED_ON,
        author_id=anct.pk,
    )
    # The candidate and the post through the historical models too: the current Candidat and
    # Post have columns added since (read back with the primary key only).
    old_candidat = apps.get_model("conseillers", "Candidat").objects.create(
        first_name="Ancien",
        last_name="Candidat",
        email="ancien.candidat@exemple.fr",
        situation="demandeur_emploi",
        available_from=SIGNED_ON,
        pix_level=2,
    )
    match = MatchFactory(
        structure=candidature.structure,
        candidat=Candidat.objects.only("pk").get(pk=old_candidat.pk),
        state=MatchState.FINALISED,
        with_contract=True,
    )
    post = apps.get_model("conseillers", "Post").objects.create(
        structure_id=candidature.structure_id, holder_id=match.pk
    )
    apps.get_model("conseillers", "PostHolding").objects.create(
        post=post, match_id=match.pk, started_on=SIGNED_ON
    )
    convention = apps.get_model("conseillers", "Convention").objects.create(
        structure_id=candidature.structure_id,
        candidature_id=candidature.pk,
        regime=regime,
        number="CNFS-HIST-0001",
        signed_on=SIGNED_ON,
        public=True,
        bonus=False,
        posts=1,
        signed_by_id=anct.pk,
    )
    subvention = apps.get_model("conseillers", "Subvention").objects.create(
        convention=convention,
        structure_id=candidature.structure_id,
        post_id=post.pk,
        holder_id=match.pk,
        total_cents=5_000_000,
        duration_months=24,
        vacancy_window_months=6,
        started_on=SIGNED_ON,
        holder_started_on=SIGNED_ON,
        ends_on=datetime.date(2026, 3, 1),
    )
    tranche = apps.get_model("conseillers", "Tranche").objects.create(
        subvention=subvention,
        rank=1,
        label="Tranche 1",
        initial_amount_cents=2_000_000,
        amount_cents=2_000_000,
        trigger="recrutement_valide",
        month=0,
        justification="aucun",
        due_on=SIGNED_ON,
        state=TrancheState.PAID,
    )
    payment = apps.get_model("conseillers", "Payment").objects.create(
        tranche=tranche,
        amount_cents=2_000_000,
        reference="VIR-HIST-1",
        paid_on=SIGNED_ON,
        recorded_by_id=anct.pk,
    )
    transition = apps.get_model("conseillers", "SubsidyTransition").objects.create(
        tranche=tranche, transition="pay", from_state="approuvee", to_state="payee", by_id=anct.pk
    )
    return OldRows(
        regime_id=regime.pk,
        convention_id=convention.pk,
        subvention_id=subvention.pk,
        tranche_id=tranche.pk,
        payment_id=payment.pk,
        transition_id=transition.pk,
        log_entry_id=_admin_history_of(tranche, apps=apps, by=anct),
        clerk_id=_clerk_allowed_to_view_tranches(apps).pk,
    )


def _admin_history_of(tranche, *, apps, by) -> int:
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="conseillers", model="tranche"
    )[0]
    return LogEntry.objects.create(
        user_id=by.pk,
        content_type_id=content_type.pk,
        object_id=str(tranche.pk),
        object_repr=tranche.label,
        action_flag=CHANGE,
    ).pk


def _clerk_allowed_to_view_tranches(apps):
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="conseillers", model="tranche"
    )
    permission = Permission.objects.get_or_create(
        content_type_id=content_type.pk,
        codename="view_tranche",
        defaults={"name": "Can view tranche"},
    )[0]
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(permission.pk)
    return clerk


@pytest.fixture
def migrated_from_before_the_move(anct) -> Iterator[OldRows]:
    try:
        executor = _migrate(BEFORE_THE_MOVE)
        apps = executor.loader.project_state(LAST_BEFORE_THE_MOVE).apps
        rows = _insert_with_historical_models(apps, anct)
        _migrate_to_latest()
        yield rows
    finally:
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_the_moved_rows_are_read_administered_and_guarded_through_the_new_models(
    migrated_from_before_the_move,
):
    """Three checks after one migration back and forth, the costliest set-up of the suite."""
    rows = migrated_from_before_the_move
    _every_subsidy_row_is_read_through_the_new_models(rows)
    _admin_history_and_permissions_follow_the_moved_models(rows)
    _the_moved_ledgers_still_refuse_updates(rows)


def _every_subsidy_row_is_read_through_the_new_models(rows: OldRows) -> None:
    payment = Payment.objects.select_related("tranche__subvention__convention__regime").get(
        pk=rows.payment_id
    )
    assert payment.reference == "VIR-HIST-1"
    assert payment.amount_cents == 2_000_000
    assert payment.tranche == Tranche.objects.get(pk=rows.tranche_id, state=TrancheState.PAID)
    assert payment.tranche.subvention == Subvention.objects.get(pk=rows.subvention_id)
    assert payment.tranche.subvention.convention == Convention.objects.get(pk=rows.convention_id)
    assert payment.tranche.subvention.convention.regime == Regime.objects.get(
        pk=rows.regime_id, code="regime-historique"
    )
    log = SubsidyTransition.objects.get(pk=rows.transition_id)
    assert (log.tranche_id, log.transition, log.to_state) == (rows.tranche_id, "pay", "payee")


def _admin_history_and_permissions_follow_the_moved_models(rows: OldRows) -> None:
    tranche_type = ContentType.objects.get_for_model(Tranche)
    assert (tranche_type.app_label, tranche_type.model) == ("subsidy", "tranche")
    assert not ContentType.objects.filter(app_label="conseillers", model="tranche").exists()
    entry = LogEntry.objects.get(pk=rows.log_entry_id)
    assert entry.content_type == tranche_type
    assert entry.get_edited_object() == Tranche.objects.get(pk=rows.tranche_id)
    clerk = User.objects.get(pk=rows.clerk_id)
    assert clerk.has_perm("subsidy.view_tranche")


def _the_moved_ledgers_still_refuse_updates(rows: OldRows) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=rows.payment_id).update(reference="réécrit")
    with pytest.raises(DatabaseError), transaction.atomic():
        SubsidyTransition.objects.filter(pk=rows.transition_id).update(reason="réécrit")
    assert Payment.objects.get(pk=rows.payment_id).reference == "VIR-HIST-1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_moved_ledgers_still_refuse_deletes_on_postgresql(migrated_from_before_the_move):
    rows = migrated_from_before_the_move
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=rows.payment_id)._raw_delete(connection.alias)
    with pytest.raises(DatabaseError), transaction.atomic():
        SubsidyTransition.objects.filter(pk=rows.transition_id)._raw_delete(connection.alias)
    assert Payment.objects.filter(pk=rows.payment_id).exists()
