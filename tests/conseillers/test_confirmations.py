"""Consequential actions ask first: the confirmation page (what a browser without JavaScript
gets, and where a refused POST comes back) states the consequence and holds the form; the detail
page holds the same form in a DSFR modal; a refused POST changes nothing and keeps the motive."""

import pytest
from django.utils.html import escape

from conseillers.models import Candidature, CandidatureState, Match, MatchState, Rupture
from conseillers.views import CANDIDATURE_ACTS, MATCH_CONFIRMATIONS
from tests.conseillers.factories import CandidatureFactory, match_in

pytestmark = pytest.mark.django_db

C = CandidatureState
M = MatchState

# act → the state it leads to, and whether the motive is required.
CANDIDATURE_OUTCOMES = {
    "examine": (C.EXAMINATION, False),
    "refuse": (C.REFUSED, True),
    "cancel": (C.CANCELLED, True),
    "mark_duplicate": (C.DUPLICATE, True),
    "abandon": (C.ABANDONED, False),
}


def act_url(candidature: Candidature, act: str) -> str:
    return f"/conseillers/candidatures/{candidature.pk}/{act}/"


def test_every_declared_act_has_an_expected_outcome():
    assert set(CANDIDATURE_OUTCOMES) == set(CANDIDATURE_ACTS)


@pytest.mark.parametrize("act", CANDIDATURE_OUTCOMES)
def test_the_confirmation_page_states_the_consequence_and_holds_the_form(
    client, structure, anct, act
):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    response = client.get(act_url(candidature, act))
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(CANDIDATURE_ACTS[act].consequence) in page
    assert 'name="acte-reason"' in page
    assert ("(Optionnel)" in page) is not CANDIDATURE_OUTCOMES[act][1]
    assert f'href="/conseillers/candidatures/{candidature.pk}/"' in page  # the way back
    candidature.refresh_from_db()
    assert candidature.state == C.CREATED


REQUIRING_A_MOTIVE = [act for act, (_, required) in CANDIDATURE_OUTCOMES.items() if required]


@pytest.mark.parametrize("act", REQUIRING_A_MOTIVE)
def test_a_blank_required_motive_comes_back_with_the_error_next_to_it(client, structure, anct, act):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    response = client.post(act_url(candidature, act), {"acte-reason": "   "})
    page = response.content.decode()
    assert response.status_code == 400
    # The confirmation page, not the detail page.
    assert escape(CANDIDATURE_ACTS[act].consequence) in page
    error_block = page.index('id="id_acte-reason-desc-error"')
    assert page.index('name="acte-reason"') < error_block
    assert "Indiquez le motif de cette décision." in page[error_block:]
    assert "<title>Erreur : " in page
    assert (
        page.count("autofocus") == 1 and 'name="acte-reason"' in page.split("autofocus")[0][-400:]
    )
    candidature.refresh_from_db()
    assert candidature.state == C.CREATED
    assert not candidature.transitions.exists()


def test_a_refused_post_keeps_the_motive_typed(client, structure, anct):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    response = client.post(act_url(candidature, "refuse"), {"acte-reason": "x" * 2001})
    assert response.status_code == 400
    assert "x" * 2001 in response.content.decode()
    candidature.refresh_from_db()
    assert candidature.state == C.CREATED


@pytest.mark.parametrize("act", CANDIDATURE_OUTCOMES)
def test_confirming_performs_the_act(client, structure, anct, act):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    response = client.post(act_url(candidature, act), {"acte-reason": "Dossier incomplet."})
    assert response.status_code == 302
    assert response["Location"] == f"/conseillers/candidatures/{candidature.pk}/"
    candidature.refresh_from_db()
    assert candidature.state == CANDIDATURE_OUTCOMES[act][0]
    assert candidature.transitions.get().reason == "Dossier incomplet."


def test_the_detail_page_opens_each_act_in_a_modal_with_its_form(client, structure, anct):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    page = client.get(f"/conseillers/candidatures/{candidature.pk}/").content.decode()
    for slug, act in CANDIDATURE_ACTS.items():
        modal = f"confirmer-{slug}"
        assert f'aria-controls="{modal}"' in page
        body = page[page.index(f'<dialog id="{modal}"') :]
        body = body[: body.index("</dialog>")]
        assert escape(act.consequence) in body
        assert f'action="{act_url(candidature, slug)}"' in body
        assert f'id="id_{slug}_acte-reason"' in body  # ids of its own in each modal
        # Without JavaScript, the same action is a link to its confirmation page.
        assert f'href="{act_url(candidature, slug)}"' in page


@pytest.mark.parametrize(
    ("persona", "status"), [("prefecture_37", 403), ("gestionnaire", 403), ("colleague", 404)]
)
def test_the_confirmation_page_is_refused_to_who_may_not_act(
    request, client, structure, persona, status
):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(act_url(candidature, "refuse")).status_code == status


def test_the_confirmation_page_of_a_closed_application_is_refused(client, structure, anct):
    candidature = CandidatureFactory(structure=structure, state=C.REFUSED)
    client.force_login(anct)
    assert client.get(act_url(candidature, "cancel")).status_code == 403


def test_an_unknown_act_has_no_confirmation_page(client, structure, anct):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    assert client.get(act_url(candidature, "avis")).status_code == 404


# --- Matches -------------------------------------------------------------------------------------

# action → (state it applies to, persona who may, form data, state it leads to)
MATCH_CASES = {
    "rupture": (
        M.FINALISED,
        "gestionnaire",
        {"rupture-rupture_date": "2026-06-01", "rupture-motive": "demission"},
        M.RUPTURE_DECLARED,
    ),
    "valider-rupture": (M.RUPTURE_DECLARED, "anct", {}, M.RUPTURE_VALIDATED),
    "terminer": (M.FINALISED, "anct", {"acte-reason": "Terme du contrat."}, M.ENDED),
}


def match_url(match: Match, action: str) -> str:
    return f"/conseillers/mises-en-relation/{match.pk}/{action}/"


@pytest.mark.parametrize("action", [*MATCH_CASES, "valider"])
def test_a_match_confirmation_page_states_the_consequence(request, client, structure, action):
    state, persona = (M.RECRUITED, "anct") if action == "valider" else MATCH_CASES[action][:2]
    match = match_in(state, structure=structure)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(match_url(match, action))
    assert response.status_code == 200
    assert escape(MATCH_CONFIRMATIONS[action][1].consequence) in response.content.decode()
    match.refresh_from_db()
    assert match.state == state


@pytest.mark.parametrize("action", MATCH_CASES)
def test_confirming_performs_the_match_action(request, client, structure, action):
    state, persona, data, target = MATCH_CASES[action]
    match = match_in(state, structure=structure)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(match_url(match, action), data)
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.state == target


def test_a_rupture_without_its_date_comes_back_to_its_confirmation_page(
    client, structure, gestionnaire
):
    match = match_in(M.FINALISED, structure=structure)
    client.force_login(gestionnaire)
    response = client.post(match_url(match, "rupture"), {"rupture-motive": "demission"})
    page = response.content.decode()
    assert response.status_code == 400
    assert escape(MATCH_CONFIRMATIONS["rupture"][1].consequence) in page
    assert 'id="id_rupture-rupture_date-desc-error"' in page
    assert 'value="demission" selected' in page  # the motive chosen is kept
    match.refresh_from_db()
    assert match.state == M.FINALISED
    assert not Rupture.objects.exists()


def test_the_match_page_offers_only_the_actions_of_its_state_in_modals(client, structure, anct):
    match = match_in(M.FINALISED, structure=structure)
    client.force_login(anct)
    page = client.get(f"/conseillers/mises-en-relation/{match.pk}/").content.decode()
    assert '<dialog id="confirmer-terminer"' in page
    assert "confirmer-valider-rupture" not in page
    assert "confirmer-rupture" not in page  # ANCT does not declare a rupture


def test_a_rupture_confirmation_is_refused_to_anct(client, structure, anct):
    match = match_in(M.FINALISED, structure=structure)
    client.force_login(anct)
    assert client.get(match_url(match, "rupture")).status_code == 403
    assert client.get(match_url(match, "recruter")).status_code == 404


def test_the_amendment_motive_is_not_labelled_optional_where_the_hint_says_when_it_is_required(
    client, structure, anct
):
    """The service requires the motive of an amendment: "(Optionnel)" would say the contrary."""
    candidature = CandidatureFactory(structure=structure, state=C.EXAMINATION)
    client.force_login(anct)
    page = client.get(f"/conseillers/candidatures/{candidature.pk}/").content.decode()
    label = page[page.index('<label for="id_decision-motive"') :]
    label = label[: label.index("</label>")]
    assert escape("Motif de l'avenant") in label
    assert "Obligatoire pour ajouter ou retirer des postes, sans objet pour la décision" in label
    assert "ptionnel" not in label
    # The other optional fields of the form keep their mark.
    observations = page[page.index('<label for="id_decision-observations"') :]
    assert "(Optionnel)" in observations[: observations.index("</label>")]
