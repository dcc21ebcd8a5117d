"""The pages of the extensions: the manager asks from the match page and cancels; ANCT lists,
validates and refuses; each button only for whom the abilities allow, without JavaScript too."""

import datetime

import pytest

from conseillers.extensions import services
from conseillers.extensions.models import ContractExtension
from conseillers.models import Contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(finalised, gestionnaire) -> ContractExtension:
    return services.extension_request(
        match=finalised,
        requested_end_date=finalised.contract.end_date + datetime.timedelta(days=365),
        by=gestionnaire,
    )


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_manager_asks_from_the_match_page(client, finalised, gestionnaire):
    match_page = page(client, gestionnaire, f"/conseillers/mises-en-relation/{finalised.pk}/")
    ask_url = f"/conseillers/prolongations/demander/{finalised.pk}/"
    assert ask_url in match_page.content.decode()
    assert "Demander la prolongation du contrat" in client.get(ask_url).content.decode()
    new_end = finalised.contract.end_date + datetime.timedelta(days=200)
    response = client.post(ask_url, {"requested_end_date": new_end.isoformat()})
    assert response.status_code == 302
    extension = ContractExtension.objects.get()
    assert (extension.requested_end_date, extension.state) == (new_end, "demandee")
    after = client.get(response.url).content.decode()
    assert "La demande de prolongation est transmise à l&#x27;ANCT." in after
    assert f"/conseillers/prolongations/{extension.pk}/" in after
    assert ask_url not in after  # one pending request at a time


def test_a_refused_date_comes_back_next_to_its_field(client, finalised, gestionnaire):
    client.force_login(gestionnaire)
    response = client.post(
        f"/conseillers/prolongations/demander/{finalised.pk}/",
        {"requested_end_date": finalised.contract.end_date.isoformat()},
    )
    assert response.status_code == 400
    assert (
        "La nouvelle date de fin doit suivre la date de fin actuelle" in response.content.decode()
    )
    assert not ContractExtension.objects.exists()


@pytest.mark.parametrize("persona", ["anct", "prefecture_37", "conseiller", "colleague"])
def test_nobody_else_is_offered_to_ask(request, client, finalised, persona):
    user = request.getfixturevalue(persona)
    match_page = page(client, user, f"/conseillers/mises-en-relation/{finalised.pk}/")
    assert "/conseillers/prolongations/demander/" not in match_page.content.decode()
    asked = client.get(f"/conseillers/prolongations/demander/{finalised.pk}/")
    assert asked.status_code in (403, 404)


def test_anct_lists_validates_and_the_history_keeps_both_dates(client, pending, anct):
    listing = page(client, anct, "/conseillers/prolongations/").content.decode()
    assert f"/conseillers/prolongations/{pending.pk}/" in listing
    assert "1 demande de prolongation" in listing
    detail = client.get(f"/conseillers/prolongations/{pending.pk}/").content.decode()
    assert "Valider la prolongation" in detail and "Refuser la prolongation" in detail
    assert "Annuler la demande" not in detail
    response = client.post(f"/conseillers/prolongations/{pending.pk}/valider/")
    assert response.status_code == 302
    assert Contract.objects.get(pk=pending.contract_id).end_date == pending.requested_end_date
    after = client.get(response.url).content.decode()
    assert "La prolongation est validée" in after
    assert f"{pending.previous_end_date:%d/%m/%Y}" in after
    assert f"{pending.requested_end_date:%d/%m/%Y}" in after


def test_refusing_without_a_motive_without_javascript(client, pending, anct):
    client.force_login(anct)
    url = f"/conseillers/prolongations/{pending.pk}/refuser/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Motif du refus" in confirm.content.decode()
    refused = client.post(url, {"motive": ""})
    assert refused.status_code == 400
    assert "Indiquez le motif du refus" in refused.content.decode()
    assert client.post(url, {"motive": "Fin du programme."}).status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.refusal_motive) == ("refusee", "Fin du programme.")


def test_the_manager_cancels_and_may_not_validate(client, pending, gestionnaire):
    client.force_login(gestionnaire)
    detail = client.get(f"/conseillers/prolongations/{pending.pk}/").content.decode()
    assert "Annuler la demande" in detail and "Valider la prolongation" not in detail
    assert client.get(f"/conseillers/prolongations/{pending.pk}/valider/").status_code == 403
    forbidden = client.post(f"/conseillers/prolongations/{pending.pk}/valider/")
    assert forbidden.status_code == 400  # the service's refusal, on the confirmation page
    assert ContractExtension.objects.get(pk=pending.pk).state == "demandee"
    assert client.post(f"/conseillers/prolongations/{pending.pk}/annuler/").status_code == 302
    assert ContractExtension.objects.get(pk=pending.pk).state == "annulee"


@pytest.mark.parametrize("persona", ["prefecture_33", "outsider", "colleague"])
def test_a_request_out_of_scope_is_not_found(request, client, pending, persona):
    user = request.getfixturevalue(persona)
    assert page(client, user, f"/conseillers/prolongations/{pending.pk}/").status_code == 404
    listing = client.get("/conseillers/prolongations/").content.decode()
    assert f"/conseillers/prolongations/{pending.pk}/" not in listing
