"""The pages of the amendment requests: who sees what, and each form posting to its service."""

from html import unescape

import pytest

from conseillers.amendments.models import AmendmentRequest, AmendmentState
from conseillers.models import DecisionKind
from tests.conseillers.amendments.factories import AmendmentRequestFactory
from tests.conseillers.factories import MatchFactory

pytestmark = pytest.mark.django_db

LIST = "/conseillers/avenants/"
NEW = "/conseillers/avenants/nouvelle/"


def detail(amendment) -> str:
    return f"/conseillers/avenants/{amendment.pk}/"


def test_a_manager_asks_from_the_form_and_lands_on_the_request(
    client, structure, gestionnaire, granted
):
    client.force_login(gestionnaire)
    page = client.get(NEW)
    assert "3 postes accordés aujourd'hui" in unescape(page.content.decode())

    response = client.post(
        NEW,
        {"structure": structure.pk, "kind": "retrait", "posts": 1, "motive": "fin_subvention"},
        follow=True,
    )

    amendment = AmendmentRequest.objects.get()
    assert response.redirect_chain == [(detail(amendment), 302)]
    html = unescape(response.content.decode())
    assert "Votre demande d'avenant est déposée" in html
    assert "Rendu de postes : 1 poste" in html
    assert "Annuler la demande" in html


def test_the_occupied_post_refusal_is_shown_next_to_the_field(
    client, structure, gestionnaire, granted
):
    for _ in range(3):
        MatchFactory(structure=structure, finalised=True)
    client.force_login(gestionnaire)

    response = client.post(
        NEW, {"structure": structure.pk, "kind": "retrait", "posts": 1, "motive": "fin_subvention"}
    )

    assert response.status_code == 400
    assert "Un poste occupé ne peut pas être rendu" in unescape(response.content.decode())
    assert not AmendmentRequest.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("gestionnaire", 200),
        ("anct", 200),
        ("prefecture_37", 200),
        ("prefecture_33", 404),
        ("outsider", 404),
        ("colleague", 404),
    ],
)
def test_who_reads_a_request(request, client, structure, persona, status):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(detail(amendment)).status_code == status


@pytest.mark.parametrize(
    ("persona", "panels"),
    [
        ("gestionnaire", {"Annuler la demande"}),
        ("anct", {"Accepter la demande", "Refuser la demande"}),
        ("prefecture_37", {"Donner l'avis de la préfecture"}),
    ],
)
def test_each_role_sees_only_its_actions(request, client, structure, persona, panels):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(request.getfixturevalue(persona))

    html = unescape(client.get(detail(amendment)).content.decode())

    every = {"Annuler la demande", "Accepter la demande", "Refuser la demande"}
    every.add("Donner l'avis de la préfecture")
    assert {label for label in every if label in html} == panels


def test_the_prefecture_gives_its_opinion_from_the_page(client, structure, granted, prefecture_37):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(prefecture_37)

    response = client.post(
        f"{detail(amendment)}avis/",
        {"avis-verdict": "favorable", "avis-comment": "Le poste ne trouve pas preneur."},
        follow=True,
    )

    assert "L'avis de la préfecture est enregistré." in unescape(response.content.decode())
    assert amendment.opinions.get().comment == "Le poste ne trouve pas preneur."


def test_anct_accepts_from_the_page_and_the_ledger_grows(client, structure, granted, anct):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(anct)

    response = client.post(
        f"{detail(amendment)}decision/",
        {"decision-number": "AV-7", "decision-decided_on": "2026-06-01"},
        follow=True,
    )

    assert "décision AV-7 enregistrée au registre" in unescape(response.content.decode())
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.ACCEPTED
    assert (amendment.decision.kind, amendment.decision.posts_granted) == (
        DecisionKind.WITHDRAWAL,
        2,
    )


def test_anct_refuses_with_a_motive_through_the_confirmation(client, structure, granted, anct):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(anct)

    confirmation = client.get(f"{detail(amendment)}refuse/")
    blank = client.post(f"{detail(amendment)}refuse/", {"acte-reason": ""})
    done = client.post(f"{detail(amendment)}refuse/", {"acte-reason": "Pas maintenant."})

    assert "La demande sera refusée définitivement" in unescape(confirmation.content.decode())
    assert blank.status_code == 400
    assert done.status_code == 302
    amendment.refresh_from_db()
    assert (amendment.state, amendment.refusal_motive) == (
        AmendmentState.REFUSED,
        "Pas maintenant.",
    )


def test_the_list_is_scoped(client, structure, other_structure, prefecture_37):
    mine = AmendmentRequestFactory(structure=structure)
    theirs = AmendmentRequestFactory(structure=other_structure)
    client.force_login(prefecture_37)

    html = unescape(client.get(LIST).content.decode())

    assert detail(mine) in html
    assert detail(theirs) not in html


@pytest.mark.parametrize("persona", ["anct", "prefecture_37"])
def test_only_managers_ask(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == 403
    assert "Demander un avenant" not in unescape(client.get(LIST).content.decode())
