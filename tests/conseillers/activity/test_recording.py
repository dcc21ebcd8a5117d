import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conseillers.activity import selectors, services
from conseillers.activity.models import Activity, ActivityKind, Theme, edit_deadline
from conseillers.activity.services import EntriesInvalid, Entry
from conseillers.models import MatchState
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import CandidatFactory, MatchFactory
from tests.factories import UserFactory


def individual(**overrides):
    fields = {
        "kind": ActivityKind.INDIVIDUAL,
        "date": timezone.localdate(),
        "duration_minutes": 45,
        "place_kind": "lieu_activite",
        "autonomy": "partiellement_autonome",
        "equipment": ["telephone"],
        "participants": 1,
        "age_over_60": 1,
        "status_retired": 1,
    }
    return {**fields, **overrides}


def workshop(**overrides):
    fields = {
        "kind": ActivityKind.COLLECTIVE,
        "date": timezone.localdate(),
        "duration_minutes": 120,
        "participants": 5,
        "age_18_35": 2,
        "age_over_60": 3,
        "status_employed": 2,
        "status_retired": 3,
    }
    return {**fields, **overrides}


@pytest.fixture
def themes(db):
    return list(Theme.objects.filter(code__in=["courriel", "securite"]))


@pytest.fixture
def match(working_match, conseiller):
    return selectors.current_match(conseiller)


def test_a_conseiller_records_an_accompaniment_under_their_recruitment(match, conseiller, themes):
    activity = services.activity_record(match=match, by=conseiller, themes=themes, **individual())
    stored = Activity.objects.get()
    assert stored.pk == activity.pk
    assert (stored.structure_id, stored.departement_id) == (match.structure_id, "37")
    assert stored.created_by == conseiller
    assert {t.code for t in stored.themes.all()} == {"courriel", "securite"}


def test_recording_costs_the_same_queries_for_one_record_or_a_hundred(match, conseiller, themes):
    conseiller.scope  # noqa: B018 (the rights of the person, read once per request)

    def count(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.activities_record(
                entries=[Entry(match, individual(), themes) for _ in range(n)], by=conseiller
            )
        return len(queries)

    assert count(1) == count(100) == 4  # savepoint, records, themes, release
    assert Activity.objects.count() == 101


def test_the_structure_manager_records_for_their_conseiller(match, gestionnaire, themes):
    activity = services.activity_record(match=match, by=gestionnaire, themes=themes, **workshop())
    assert activity.participants == 5


@pytest.mark.parametrize("persona", ["outsider", "colleague", "anct", "prefecture_37"])
def test_nobody_else_records_for_a_conseiller(request, match, themes, persona):
    with pytest.raises(PermissionDenied):
        services.activity_record(
            match=match, by=request.getfixturevalue(persona), themes=themes, **individual()
        )
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "state", [MatchState.INTERESTED, MatchState.RUPTURE_VALIDATED, MatchState.ENDED]
)
def test_a_recruitment_out_of_post_records_nothing(structure, conseiller, themes, state):
    match = MatchFactory(
        structure=structure, candidat=CandidatFactory(user=conseiller), state=state
    )
    with pytest.raises(PermissionDenied):
        services.activity_record(match=match, by=conseiller, themes=themes, **individual())


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "date", "futur"),
        ({"date": datetime.date(2026, 1, 30)}, "date", "verrouillés"),
        ({"participants": 2}, "participants", "une seule personne"),
        ({"autonomy": ""}, "autonomy", "autonomie"),
        ({"age_over_60": 0}, "ages", "tranches d'âge (0)"),
        ({"status_retired": 0, "status_unknown": 2}, "statuses", "statuts (2)"),
        ({"equipment": ["aucun", "tablette"]}, "equipment", "Aucun matériel"),
        ({"equipment": ["fax"]}, "equipment", "Matériel inconnu : fax"),
        ({"redirected_to": "Mairie"}, "redirected_to", "réorientée"),
        ({"commune_insee": "3726"}, "commune_insee", "cinq caractères"),
        ({"duration_minutes": 0}, "duration_minutes", ""),
    ],
)
def test_an_inconsistent_record_is_refused_in_french_next_to_its_field(
    match, conseiller, themes, overrides, field, words
):
    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            match=match, by=conseiller, themes=themes, **individual(**overrides)
        )
    assert words in " ".join(refused.value.message_dict[field])
    assert not Activity.objects.exists()


def test_a_record_needs_a_theme_and_a_workshop_has_no_autonomy(match, conseiller):
    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            match=match, by=conseiller, themes=[], **workshop(autonomy="autonome")
        )
    assert set(refused.value.message_dict) == {"themes", "autonomy"}


def test_a_bulk_write_reports_every_row_in_error_and_writes_nothing(match, conseiller, themes):
    entries = [
        Entry(match, individual(), themes),
        Entry(match, individual(participants=3), themes),
        Entry(match, workshop(age_18_35=0), []),
    ]
    with pytest.raises(EntriesInvalid) as refused:
        services.activities_record(entries=entries, by=conseiller)
    assert sorted((e.row, e.field) for e in refused.value.errors) == [
        (1, "ages"),
        (1, "participants"),
        (1, "statuses"),
        (2, "ages"),
        (2, "themes"),
    ]
    assert not Activity.objects.exists()


def test_the_conseiller_changes_and_deletes_a_record_of_the_open_month(match, conseiller, themes):
    activity = services.activity_record(match=match, by=conseiller, themes=themes, **individual())
    loaded = selectors.activity_for_change(activity.pk, conseiller)
    services.activity_update(
        activity=loaded, by=conseiller, themes=themes[:1], **individual(duration_minutes=90)
    )
    activity.refresh_from_db()
    assert activity.duration_minutes == 90
    assert [t.code for t in activity.themes.all()] == [themes[0].code]
    services.activity_delete(activity=loaded, by=conseiller)
    assert not Activity.objects.exists()


def test_a_record_is_locked_after_the_tenth_of_the_next_month(match, conseiller, themes):
    old = ActivityFactory(match=match, date=datetime.date(2026, 3, 2))
    loaded = selectors.activity_for_change(old.pk, conseiller)
    assert loaded.editable_until == datetime.date(2026, 4, 10)
    assert loaded.get_abilities(conseiller) == {"view": True, "update": False, "delete": False}
    with pytest.raises(PermissionDenied, match="verrouillés depuis le 11/04/2026"):
        services.activity_update(activity=loaded, by=conseiller, themes=themes, **individual())
    with pytest.raises(PermissionDenied, match="jusqu'au 10 du mois suivant"):
        services.activity_delete(activity=loaded, by=conseiller)
    assert Activity.objects.filter(pk=old.pk).exists()


def test_the_edit_window_follows_the_calendar(match, conseiller):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    record = ActivityFactory(match=match, date=last_month)
    assert record.is_locked(today) == (today > edit_deadline(last_month))
    assert record.is_locked(edit_deadline(last_month)) is False
    assert record.is_locked(edit_deadline(last_month) + datetime.timedelta(days=1)) is True


def test_another_conseiller_cannot_change_a_record(match, themes):
    activity = ActivityFactory(match=match, date=timezone.localdate())
    stranger = UserFactory()
    MatchFactory(candidat=CandidatFactory(user=stranger), finalised=True)
    with pytest.raises(Activity.DoesNotExist):
        selectors.activity_for_change(activity.pk, stranger)
    loaded = Activity.objects.select_related("match__candidat").get()
    with pytest.raises(PermissionDenied):
        services.activity_delete(activity=loaded, by=stranger)
