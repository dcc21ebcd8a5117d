import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conseillers.activity.models import Activity, Theme
from tests.conseillers.activity.factories import ActivityFactory

HOME = "/conseillers/activite/"


@pytest.fixture
def as_conseiller(client, conseiller, working_match):
    client.force_login(conseiller)
    return client


def _post(theme_ids, **overrides):
    data = {
        "kind": "individuel",
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "45",
        "themes": theme_ids,
        "autonomy": "autonome",
        "age": "age_18_35",
        "status": "status_unknown",
        "place_kind": "lieu_activite",
        # The workshop's section is in the page too: ignored for an accompaniment.
        "participants": "12",
        "age_over_60": "3",
    }
    return {**data, **overrides}


@pytest.fixture
def theme_ids(db):
    return [str(pk) for pk in Theme.objects.filter(code="courriel").values_list("pk", flat=True)]


def test_the_page_is_in_the_conseillers_navigation_and_offers_last_entrys_values(
    as_conseiller, working_match
):
    ActivityFactory(match=working_match, date=timezone.localdate(), duration_minutes=75)
    page = as_conseiller.get(HOME)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{HOME}"' in html  # the header menu's entry
    assert 'value="75"' in html and "autofocus" in html
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_a_plain_post_records_then_redirects_with_a_message(as_conseiller, theme_ids):
    response = as_conseiller.post(HOME, _post(theme_ids), follow=True)
    activity = Activity.objects.get()
    assert (activity.participants, activity.age_18_35, activity.age_over_60) == (1, 1, 0)
    assert activity.autonomy == "autonome"
    assert "Accompagnement du" in response.content.decode()


def test_a_fetch_post_answers_json_in_constant_queries(
    as_conseiller, theme_ids, django_assert_num_queries
):
    # Session, user, match, themes, the structure's places; the rights (memberships, préfecture
    # agent); the write (savepoint, records, themes, release): whatever the number of themes.
    with django_assert_num_queries(11):
        response = as_conseiller.post(
            HOME, _post(theme_ids), headers={"accept": "application/json"}
        )
    assert response.status_code == 201
    assert response.json()["message"].startswith("Accompagnement du ")


def test_a_refused_fetch_post_sends_back_the_fields_with_their_errors(as_conseiller, theme_ids):
    response = as_conseiller.post(
        HOME,
        _post(theme_ids, kind="collectif", participants="4", age_over_60="3"),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "La somme des tranches d" in response.json()["form"]
    assert not Activity.objects.exists()


def test_without_script_a_refused_post_shows_the_page_with_errors_kept(as_conseiller, theme_ids):
    response = as_conseiller.post(HOME, _post([], duration_minutes="50"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez au moins un thème." in html and 'value="50"' in html
    assert "<title>Erreur : Mon activité" in html


@pytest.mark.parametrize("persona", ["gestionnaire", "anct", "outsider"])
def test_the_page_is_for_conseillers_in_post(request, client, db, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(HOME)
    assert response.status_code == 403
    assert "réservée aux conseillers numériques en poste" in response.content.decode()


def test_the_conseiller_edits_then_deletes_a_record(as_conseiller, working_match, theme_ids):
    activity = ActivityFactory(match=working_match, date=timezone.localdate())
    edit = reverse("conseillers:activity-edit", args=[activity.pk])
    assert as_conseiller.get(edit).status_code == 200
    response = as_conseiller.post(edit, _post(theme_ids, duration_minutes="20"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.duration_minutes == 20
    delete = reverse("conseillers:activity-delete", args=[activity.pk])
    assert "Supprimer le compte rendu" in as_conseiller.get(delete).content.decode()
    as_conseiller.post(delete)
    assert not Activity.objects.exists()


def test_a_locked_record_is_refused_with_the_reason(as_conseiller, working_match, theme_ids):
    activity = ActivityFactory(match=working_match, date=datetime.date(2026, 3, 2))
    page = as_conseiller.get(f"{HOME}?mois=2026-03")
    assert "Verrouillé" in page.content.decode()
    for name in ("activity-edit", "activity-delete"):
        response = as_conseiller.post(reverse(f"conseillers:{name}", args=[activity.pk]))
        assert response.status_code == 403
        assert "verrouillés depuis le 11/04/2026" in response.content.decode()


def test_another_persons_record_is_not_found(client, working_match):
    activity = ActivityFactory(match=working_match, date=timezone.localdate())
    from tests.conseillers.factories import CandidatFactory, MatchFactory
    from tests.factories import UserFactory

    stranger = UserFactory()
    MatchFactory(candidat=CandidatFactory(user=stranger), finalised=True)
    client.force_login(stranger)
    assert client.get(reverse("conseillers:activity-edit", args=[activity.pk])).status_code == 404


def test_a_manager_corrects_a_record_of_their_conseiller_and_goes_home(
    client, gestionnaire, working_match, theme_ids
):
    activity = ActivityFactory(match=working_match, date=timezone.localdate())
    client.force_login(gestionnaire)
    edit = reverse("conseillers:activity-edit", args=[activity.pk])
    response = client.post(edit, _post(theme_ids, duration_minutes="25"))
    assert response.status_code == 302 and response.url == reverse("core:home")
    activity.refresh_from_db()
    assert activity.duration_minutes == 25
