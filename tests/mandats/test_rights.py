"""Every right of Aidants Connect, refused to each role that lacks its key.

The tables below are checked against the code by introspection: a new public service in
`mandats.services` or a new page of the `mandats` namespace without an entry here fails
`test_every_service_has_an_entry` or `test_every_page_has_an_entry`. Each entry names the personas
who hold the right; the tests prove that the ability key says the same, that holders pass the
check, and that everyone else is refused (as the page refuses today: 403, 404, a form error or the
login page) with nothing written.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from mandats import attestation_urls, card_seeds, selectors, services
from mandats import urls as mandats_urls
from mandats.abilities import PROGRAMME, OrganisationAbilities, may_transfer_mandat
from mandats.models import (
    AidantProfile,
    Autorisation,
    CarteTOTP,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationTransition,
    JournalEntry,
    Mandat,
    OrganisationRequest,
)
from mandats.views.usager_space import USAGER_SESSION_KEY, USAGER_SESSION_LIFETIME
from tests.factories import MembershipFactory
from tests.mandats.factories import HabilitationRequestFactory, MandatFactory, UsagerFactory

PERSONAS = [
    "anct",
    "prefecture_37",
    "gestionnaire",
    "aidant",
    "referent",
    "outsider_aidant",
    "outsider_referent",
    "anonymous",
]


@pytest.fixture
def outsider_referent(other_organisation):
    return MembershipFactory(structure=other_organisation.structure, role="referent").user


@pytest.fixture
def anonymous():
    return AnonymousUser()


@dataclass
class World:
    """Organisation A (the personas' `organisation`) with one mandate and one pending request;
    organisation B (`other_organisation`) habilitated too."""

    organisation: HabilitatedOrganisation
    other_organisation: HabilitatedOrganisation
    mandat: Mandat
    pending: HabilitationRequest

    @property
    def autorisation(self) -> Autorisation:
        return self.mandat.autorisations.get(demarche="social")


@pytest.fixture
def world(organisation, other_organisation, mandat, referent) -> World:
    pending = HabilitationRequestFactory(organisation=organisation, submitted_by=referent)
    return World(organisation, other_organisation, mandat, pending)


def snapshot() -> tuple:
    """Everything a refused write could have touched."""
    return (
        list(Mandat.objects.order_by("pk").values_list("pk", "organisation_id")),
        list(Autorisation.objects.order_by("pk").values_list("pk", "revoked_at")),
        JournalEntry.objects.count(),
        list(HabilitationRequest.objects.order_by("pk").values_list("pk", "status")),
        HabilitationTransition.objects.count(),
        list(AidantProfile.objects.order_by("pk").values_list("user_id", "current_organisation")),
        list(HabilitatedOrganisation.objects.order_by("pk").values_list("pk", "allowed_demarches")),
    )


# --- Services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRight:
    holders: frozenset[str]
    ability: Callable[[World, Any], bool]
    call: Callable[[World, Any], object]


def _submit(w: World, by: Any) -> object:
    return services.habilitation_request_submit(
        organisation=w.organisation,
        email="nouvel.aidant@exemple.fr",
        first_name="Nouvel",
        last_name="Aidant",
        profession="Médiateur",
        training_done=False,
        training_date=None,
        pix_passed=False,
        by=by,
    )


def _team_member(
    w: World, *, is_active: bool = True, elsewhere: HabilitatedOrganisation | None = None
) -> Any:
    """A fresh aidant of organisation A, the one the référent acts on."""
    aidant = MembershipFactory(
        structure=w.organisation.structure, role="aidant", user__is_active=is_active
    ).user
    if elsewhere is not None:
        MembershipFactory(user=aidant, structure=elsewhere.structure, role="aidant")
    return aidant


def _stock_card(w: World) -> list[Any]:
    carte = CarteTOTP.objects.create(
        serial_number=f"STOCK-{CarteTOTP.objects.count() + 1:04d}",
        encrypted_seed=card_seeds.encrypt(b"0123456789abcdef"),
        loaded_by=w.pending.submitted_by,
    )
    return [carte.pk]


def _locked_card(w: World) -> list[Any]:
    (pk,) = _stock_card(w)
    CarteTOTP.objects.filter(pk=pk).update(association_locked_at=timezone.now())
    return [pk]


def _organisation_request(w: World) -> list[Any]:
    request = OrganisationRequest.objects.create(
        siret="51234567900017",
        name="Centre social",
        type="privee",
        departement_id="37",
        address="Tours",
        referent_first_name="Sophie",
        referent_last_name="Durand",
        referent_email="sophie@exemple.fr",
        aidants=[{"first_name": "A", "last_name": "B", "email": "a@exemple.fr"}],
        demarches=["social"],
    )
    return [request.pk, "clore"]


def _transfer_ability(w: World, user: Any) -> bool:
    return may_transfer_mandat(
        user,
        from_organisation_id=w.mandat.organisation_id,
        to_organisation_id=w.other_organisation.pk,
    )


SERVICES: dict[str, ServiceRight] = {
    "mandat_create": ServiceRight(
        frozenset({"aidant"}),
        lambda w, u: w.organisation.get_abilities(u)["sign_mandat"],
        lambda w, by: services.mandat_create(
            organisation=w.organisation.structure,
            usager=w.mandat.usager,
            demarches=["logement"],
            duration="jour",
            by=by,
        ),
    ),
    "mandat_renew": ServiceRight(
        frozenset({"aidant"}),
        lambda w, u: w.mandat.get_abilities(u)["renew"],
        lambda w, by: services.mandat_renew(
            mandat=w.mandat, demarches=["social"], duration="jour", by=by
        ),
    ),
    "mandat_revoke": ServiceRight(
        frozenset({"aidant", "referent"}),
        lambda w, u: w.mandat.get_abilities(u)["revoke"],
        lambda w, by: services.mandat_revoke(mandat=w.mandat, by=by),
    ),
    "mandat_transfer": ServiceRight(
        frozenset({"anct"}),
        _transfer_ability,
        lambda w, by: services.mandat_transfer(
            mandat=w.mandat, to_organisation=w.other_organisation.structure, by=by
        ),
    ),
    "autorisation_revoke": ServiceRight(
        frozenset({"aidant", "referent"}),
        lambda w, u: w.autorisation.get_abilities(u)["revoke"],
        lambda w, by: services.autorisation_revoke(autorisation=w.autorisation, by=by),
    ),
    "autorisation_use": ServiceRight(
        frozenset({"aidant"}),
        lambda w, u: w.autorisation.get_abilities(u)["use"],
        lambda w, by: services.autorisation_use(autorisation=w.autorisation, by=by),
    ),
    "aidant_switch_organisation": ServiceRight(
        frozenset({"aidant", "referent"}),
        lambda w, u: w.organisation.get_abilities(u)["work_in"],
        lambda w, by: services.aidant_switch_organisation(
            organisation=w.organisation.structure, by=by
        ),
    ),
    "organisation_update_demarches": ServiceRight(
        frozenset({"anct", "referent"}),
        lambda w, u: w.organisation.get_abilities(u)["update_demarches"],
        lambda w, by: services.organisation_update_demarches(
            organisation=w.organisation, demarches=["social"], by=by
        ),
    ),
    "habilitation_request_submit": ServiceRight(
        frozenset({"anct", "referent"}),
        lambda w, u: w.organisation.get_abilities(u)["request_habilitation"],
        _submit,
    ),
    "habilitation_request_validate": ServiceRight(
        frozenset({"anct"}),
        lambda w, u: w.pending.get_abilities(u)["validate"],
        lambda w, by: services.habilitation_request_validate(habilitation_request=w.pending, by=by),
    ),
    "habilitation_request_refuse": ServiceRight(
        frozenset({"anct"}),
        lambda w, u: w.pending.get_abilities(u)["refuse"],
        lambda w, by: services.habilitation_request_refuse(
            habilitation_request=w.pending, reason="Formation non suivie.", by=by
        ),
    ),
    "aidant_deactivate": ServiceRight(
        frozenset({"referent"}),
        lambda w, u: w.organisation.get_abilities(u)["manage_aidants"],
        lambda w, by: services.aidant_deactivate(
            aidant=_team_member(w), organisation=w.organisation.structure, by=by
        ),
    ),
    "aidant_reactivate": ServiceRight(
        frozenset({"referent"}),
        lambda w, u: w.organisation.get_abilities(u)["manage_aidants"],
        lambda w, by: services.aidant_reactivate(
            aidant=_team_member(w, is_active=False), organisation=w.organisation.structure, by=by
        ),
    ),
    "aidant_remove_from_organisation": ServiceRight(
        frozenset({"referent"}),
        lambda w, u: w.organisation.get_abilities(u)["manage_aidants"],
        lambda w, by: services.aidant_remove_from_organisation(
            aidant=_team_member(w, elsewhere=w.other_organisation),
            organisation=w.organisation.structure,
            by=by,
        ),
    ),
}
# Services no person calls: each says who does, and why no ability key guards it.
SYSTEM_SERVICES = {
    "usager_from_franceconnect": "the FranceConnect callback, once the usager's identity is proved",
    "mandats_claim_expiration_reminders": "the daily beat task",
    "usagers_purge_expired": "the daily beat task (six-year retention)",
}


def public_services() -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__ and not name.startswith("_")
    }


def test_every_service_has_an_entry():
    assert public_services() == SERVICES.keys() | SYSTEM_SERVICES.keys()


def _service_cases(holding: bool) -> list:
    return [
        pytest.param(name, persona, id=f"{name}-{persona}")
        for name, right in SERVICES.items()
        for persona in PERSONAS
        if (persona in right.holders) is holding
    ]


@pytest.mark.parametrize(("name", "persona"), _service_cases(holding=False))
def test_a_service_is_refused_to_each_role_without_its_key(request, world, name, persona):
    right, user = SERVICES[name], request.getfixturevalue(persona)
    assert right.ability(world, user) is False
    before = snapshot()

    with pytest.raises(PermissionDenied):
        right.call(world, user)

    assert snapshot() == before


@pytest.mark.parametrize(("name", "persona"), _service_cases(holding=True))
def test_a_service_lets_the_holders_of_its_key_through(request, world, name, persona):
    right, user = SERVICES[name], request.getfixturevalue(persona)
    assert right.ability(world, user) is True

    # Refused, if at all, for *what* (a state, a démarche), never for *who*.
    with contextlib.suppress(ValidationError):
        right.call(world, user)


def test_the_usager_revokes_only_their_own_mandates(world):
    stranger = UsagerFactory()
    mandat, autorisation = world.mandat, world.autorisation
    assert mandat.get_usager_abilities(stranger)["revoke"] is False
    assert mandat.get_usager_abilities(mandat.usager)["revoke"] is True

    with pytest.raises(PermissionDenied):
        services.autorisation_revoke(autorisation=autorisation, by_usager=stranger)
    with pytest.raises(PermissionDenied):
        services.mandat_revoke(mandat=mandat, by_usager=stranger)

    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


# --- Pages that write -------------------------------------------------------------------------

LOGIN = "login"
USAGER_LOGIN = "usager-login"


@dataclass(frozen=True)
class PageRight:
    holders: frozenset[str]
    args: Callable[[World], list[int]]
    ability: Callable[[World, Any], bool]
    # How a logged-in person without the key is refused, by persona; the others get `refusal`.
    refusal: int
    refusal_by_persona: dict[str, int] = field(default_factory=dict)
    data: Callable[[World], dict] = lambda w: {}
    # The usager space: people are sent to the usager's FranceConnect login.
    usager_space: bool = False


def _current_organisation_ability(key: str) -> Callable[[World, Any], bool]:
    def ability(w: World, user: Any) -> bool:
        current = selectors.current_organisation(user) if user.is_authenticated else None
        return current is not None and OrganisationAbilities(current.pk).get_abilities(user)[key]

    return ability


def _no_args(w: World) -> list[int]:
    return []


def _organisation_args(w: World) -> list[int]:
    return [w.organisation.pk]


MANDAT_VIEWERS = {"referent": 403}
WIZARD = {
    "holders": frozenset({"aidant", "outsider_aidant"}),  # each for their own organisation
    "args": _no_args,
    "ability": _current_organisation_ability("sign_mandat"),
    "refusal": 403,
}
PAGES: dict[str, PageRight] = {
    "autorisation-revoke": PageRight(
        frozenset({"aidant", "referent"}),
        lambda w: [w.autorisation.pk],
        lambda w, u: w.autorisation.get_abilities(u)["revoke"],
        refusal=404,
    ),
    "mandat-revoke": PageRight(
        frozenset({"aidant", "referent"}),
        lambda w: [w.mandat.pk],
        lambda w, u: w.mandat.get_abilities(u)["revoke"],
        refusal=404,
    ),
    "mandat-renew": PageRight(
        frozenset({"aidant"}),
        lambda w: [w.mandat.pk],
        lambda w, u: w.mandat.get_abilities(u)["renew"],
        refusal=404,
        refusal_by_persona=MANDAT_VIEWERS,
        data=lambda w: {"demarches": ["social"], "duration": "jour", "code": "000000"},
    ),
    "mandat-new": PageRight(**WIZARD, data=lambda w: {"demarches": ["social"], "duration": "jour"}),
    "mandat-new-franceconnect": PageRight(**WIZARD),
    "mandat-new-confirm": PageRight(**WIZARD, data=lambda w: {"code": "000000"}),
    # The form offers only the person's own organisations: any other is a form error.
    "organisation-switch": PageRight(
        frozenset({"aidant", "referent"}),
        _no_args,
        lambda w, u: w.organisation.get_abilities(u)["work_in"],
        refusal=200,
        data=lambda w: {"organisation": w.organisation.pk},
    ),
    "referent-organisation": PageRight(
        frozenset({"referent"}),
        _organisation_args,
        lambda w, u: w.organisation.get_abilities(u)["open_referent_space"],
        refusal=403,
        data=lambda w: {"demarches": ["social"]},
    ),
    "habilitation-request-new": PageRight(
        frozenset({"referent"}),
        _organisation_args,
        lambda w, u: w.organisation.get_abilities(u)["open_referent_space"],
        refusal=403,
        data=lambda w: {
            "email": "nouvel.aidant@exemple.fr",
            "first_name": "Nouvel",
            "last_name": "Aidant",
            "profession": "Médiateur",
        },
    ),
    "habilitation-validate": PageRight(
        frozenset({"anct"}),
        lambda w: [w.pending.pk],
        lambda w, u: PROGRAMME.get_abilities(u)["decide_habilitations"],
        refusal=403,
    ),
    "habilitation-refuse": PageRight(
        frozenset({"anct"}),
        lambda w: [w.pending.pk],
        lambda w, u: PROGRAMME.get_abilities(u)["decide_habilitations"],
        refusal=403,
        data=lambda w: {"reason": "Formation non suivie."},
    ),
    "referent-aidant-action": PageRight(
        frozenset({"referent"}),
        lambda w: [w.organisation.pk, _team_member(w).pk, "desactiver"],
        lambda w, u: w.organisation.get_abilities(u)["manage_aidants"],
        refusal=403,
    ),
    # A card of the stock is the ANCT's; the référent declares the loss of their organisation's.
    "carte-lost": PageRight(
        frozenset({"anct"}),
        _stock_card,
        lambda w, u: PROGRAMME.get_abilities(u)["manage_cartes"],
        refusal=403,
    ),
    "carte-unlock": PageRight(
        frozenset({"anct"}),
        _locked_card,
        lambda w, u: PROGRAMME.get_abilities(u)["manage_cartes"],
        refusal=403,
    ),
    "organisation-request-act": PageRight(
        frozenset({"anct"}),
        _organisation_request,
        lambda w, u: PROGRAMME.get_abilities(u)["decide_habilitations"],
        refusal=403,
        data=lambda w: {"motif-message": "Demande en double."},
    ),
    # Only the usager logged in with FranceConnect: see test_usager_space.py for their rights.
    "usager-autorisation-revoke": PageRight(
        frozenset(),
        lambda w: [w.autorisation.pk],
        lambda w, u: False,
        refusal=302,
        usager_space=True,
    ),
    "usager-mandat-revoke": PageRight(
        frozenset(),
        lambda w: [w.mandat.pk],
        lambda w, u: False,
        refusal=302,
        usager_space=True,
    ),
}
# Pages that write nothing, or only what belongs to the person themself; each says why.
OTHER_PAGES = {
    "index": "redirects to the usager list",
    "usager-list": "reads the current organisation's usagers",
    "usager-detail": "reads (404 outside the organisation: test_cross_organisation.py)",
    "referent-index": "redirects to the référent's organisation",
    "habilitation-decisions": "reads (403 but for the ANCT: test_habilitation_pages.py)",
    "referent-team": "reads the team (403 but for the référent: test_team.py)",
    "referent-carte-associate": "writes only with the card in hand, a current code: refused to "
    "every role but the référent in test_card_pages.py and test_cards.py",
    "cartes-stock": "loads a CSV file: refused to every role but the ANCT in test_card_pages.py",
    "organisation-request-new": "public by design: an organisation asks to be habilitated",
    "organisation-request-page": "the requester's own request, behind the signed emailed link",
    "organisation-request-resend-link": "public by design, limited per address and per email "
    "(test_organisation_request_limits.py); answers alike whether a request waits",
    "organisation-requests": "reads (403 but for the ANCT: test_organisation_request_pages.py)",
    "organisation-request-detail": "reads (403 but for the ANCT)",
    "usager-space": "reads the usager's own mandates",
    "attestation": "reads (404 outside the organisation: test_attestation.py)",
    "attestation-pdf": "reads (404 outside the organisation: test_attestation.py)",
    "attestation-revocation-pdf": "reads (404 outside the organisation: test_attestation_pdf.py)",
    "usager-mandat-uses": "reads the usager's own mandate (test_usager_mandat_uses.py)",
    "usager-revocation-pdf": "reads the usager's own mandate (test_attestation_pdf.py)",
    "attestation-verify": "public by design: the QR code of the paper attestation",
    "totp-setup": "the person's own second factor",
    "totp-verify": "the person's own second factor",
    "usager-login": "starts a FranceConnect login",
    "usager-logout": "ends the usager's own session",
    "franceconnect-callback": "acts only on a state issued to this browser (test_franceconnect_*)",
    "franceconnect-logout-callback": "acts only on a state issued to this browser",
}


def _names(patterns: list) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_page_has_an_entry():
    pages = _names(mandats_urls.urlpatterns) | _names(attestation_urls.urlpatterns)

    assert pages == PAGES.keys() | OTHER_PAGES.keys()


def _page_cases(holding: bool) -> list:
    return [
        pytest.param(name, persona, id=f"{name}-{persona}")
        for name, right in PAGES.items()
        for persona in PERSONAS
        if (persona in right.holders) is holding
    ]


def _post(request, verified_client, world: World, name: str, persona: str):
    right, user = PAGES[name], request.getfixturevalue(persona)
    client = request.getfixturevalue("client") if persona == "anonymous" else verified_client(user)
    url = reverse(f"mandats:{name}", args=right.args(world))
    return right, user, client.post(url, right.data(world))


@pytest.mark.parametrize(("name", "persona"), _page_cases(holding=False))
def test_a_page_that_writes_refuses_each_role_without_its_key(
    request, verified_client, world, name, persona
):
    before = snapshot()

    right, user, response = _post(request, verified_client, world, name, persona)

    assert right.ability(world, user) is False
    if right.usager_space:
        assert response.status_code == 302
        assert response.url == reverse(f"mandats:{USAGER_LOGIN}")
    elif persona == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == right.refusal_by_persona.get(persona, right.refusal)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "persona"), _page_cases(holding=True))
def test_a_page_that_writes_lets_the_holders_of_its_key_through(
    request, verified_client, world, name, persona
):
    right, user, response = _post(request, verified_client, world, name, persona)

    assert right.ability(world, user) is True
    assert response.status_code in (200, 302)
    location = response.headers.get("Location", "")
    assert not location.startswith(reverse(settings.LOGIN_URL))


def test_the_usager_space_refuses_another_usagers_mandate(client, world):
    stranger = MandatFactory(organisation=world.organisation.structure).usager
    session = client.session
    session[USAGER_SESSION_KEY] = {
        "usager_id": stranger.pk,
        "name": stranger.full_name,
        "id_token": "en-tete.charge-utile.signature",
        "expires_at": (timezone.now() + USAGER_SESSION_LIFETIME).timestamp(),
    }
    session.save()
    before = snapshot()

    for name in ("usager-autorisation-revoke", "usager-mandat-revoke"):
        url = reverse(f"mandats:{name}", args=PAGES[name].args(world))
        assert client.post(url).status_code == 404

    assert snapshot() == before
