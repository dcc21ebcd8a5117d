"""Every write of the programme and every action of its API, refused to each role without the right.

The tables are written from the programme's rules (DOMAIN.md), not read from the abilities: for
each service function and each API action, the personas the rules allow. The enumeration tests
list the functions of `conseillers.services` and the actions of the API router by introspection,
so that a new one without an entry here fails. Each right is also checked to be a key of a
`get_abilities` that grants it to exactly the allowed personas: the one place to read it.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from conseillers import services
from conseillers.abilities import PROGRAMME, StructureAbilities
from conseillers.api.urls import router
from conseillers.models import Candidat, CandidatureState, Match, MatchState, Training
from core.models import Departement, Structure, User
from tests.conseillers.api.helpers import post
from tests.conseillers.factories import (
    CONTRACT,
    CandidatFactory,
    CandidatureFactory,
    candidature_in,
    match_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The personas of the programme: ANCT, the préfecture of the structure's département and that of
# another, the structure's manager and another structure's, the conseiller (the candidate of the
# match at hand), an aidant of the structure.
PERSONAS = [
    "anct",
    "prefecture_37",
    "prefecture_33",
    "gestionnaire",
    "outsider",
    "conseiller",
    "aidant",
]
API_PERSONAS = [*PERSONAS, "anonymous"]


@pytest.fixture
def aidant(colleague: User) -> User:
    return colleague


@pytest.fixture
def conseiller_candidat(db) -> Candidat:
    return CandidatFactory(user=UserFactory())


@pytest.fixture
def conseiller(conseiller_candidat: Candidat) -> User:
    return conseiller_candidat.user


@dataclass(frozen=True)
class Scene:
    """What each case starts from: the structure (Indre-et-Loire) and the conseiller's record."""

    structure: Structure
    candidat: Candidat

    def undecided(self):
        """An application of the structure, awaiting the préfecture and ANCT."""
        return candidature_in(CandidatureState.CREATED, structure=self.structure)

    def match(self, state: MatchState) -> Match:
        """A match of the conseiller at the structure (validated for one post) in `state`."""
        candidature_in(CandidatureState.VALIDATED, structure=self.structure)
        return match_in(state, structure=self.structure, candidat=self.candidat)


@pytest.fixture
def scene(structure: Structure, conseiller_candidat: Candidat, envelope_37) -> Scene:
    return Scene(structure=structure, candidat=conseiller_candidat)


def fresh(user: User) -> User:
    """The persona read again, so that its scope is computed from the rows of the scene."""
    return User.objects.get(pk=user.pk)


# --- Services ------------------------------------------------------------------------------------


REASON = "Motif consigné dans le journal."
APPLICATION = {
    "contact_name": "Claire Contact",
    "contact_email": "contact@exemple.fr",
    "posts_wished": 2,
    "motivation": "Accompagner les habitants éloignés du numérique.",
    "start_date": datetime.date(2026, 1, 5),
}


@dataclass(frozen=True)
class ServiceRight:
    """Who may call a service: the personas allowed, on what, and the key that says so."""

    allowed: frozenset[str]
    setup: Callable[[Scene], Any]
    ability: Callable[[Any], tuple[Any, str]]
    call: Callable[[Any, User], object]


def _on_structure(scene: Scene) -> Structure:
    return scene.structure


def _structure_key(key: str) -> Callable[[Structure], tuple[Any, str]]:
    return lambda structure: (StructureAbilities(structure), key)


def _programme_key(key: str) -> Callable[[Any], tuple[Any, str]]:
    return lambda _: (PROGRAMME, key)


def _own_key(key: str) -> Callable[[Any], tuple[Any, str]]:
    return lambda obj: (obj, key)


def _undecided(scene: Scene):
    return scene.undecided()


def _in_state(state: MatchState) -> Callable[[Scene], Match]:
    return lambda scene: scene.match(state)


ANCT = frozenset({"anct"})
MANAGER = frozenset({"gestionnaire"})

SERVICES: dict[str, ServiceRight] = {
    "envelope_set": ServiceRight(
        ANCT,
        _on_structure,
        _programme_key("envelope_set"),
        lambda _, by: services.envelope_set(
            departement=Departement.objects.get(pk="37"), posts=40, reason=REASON, by=by
        ),
    ),
    "envelopes_apply": ServiceRight(
        ANCT,
        _on_structure,
        _programme_key("proposal_apply"),
        lambda _, by: services.envelopes_apply(allocation={"37": 40}, reason=REASON, by=by),
    ),
    "candidature_submit": ServiceRight(
        MANAGER,
        _on_structure,
        _structure_key("candidature_submit"),
        lambda structure, by: services.candidature_submit(
            structure=structure, by=by, **APPLICATION
        ),
    ),
    "candidature_examine": ServiceRight(
        ANCT,
        _undecided,
        _own_key("examine"),
        lambda candidature, by: services.candidature_examine(candidature=candidature, by=by),
    ),
    "candidature_refuse": ServiceRight(
        ANCT,
        _undecided,
        _own_key("refuse"),
        lambda candidature, by: services.candidature_refuse(
            candidature=candidature, by=by, reason=REASON
        ),
    ),
    "candidature_cancel": ServiceRight(
        ANCT,
        _undecided,
        _own_key("cancel"),
        lambda candidature, by: services.candidature_cancel(
            candidature=candidature, by=by, reason=REASON
        ),
    ),
    "candidature_mark_duplicate": ServiceRight(
        ANCT,
        _undecided,
        _own_key("mark_duplicate"),
        lambda candidature, by: services.candidature_mark_duplicate(
            candidature=candidature, by=by, reason=REASON
        ),
    ),
    "candidature_abandon": ServiceRight(
        ANCT | MANAGER,
        _undecided,
        _own_key("abandon"),
        lambda candidature, by: services.candidature_abandon(candidature=candidature, by=by),
    ),
    "opinion_give": ServiceRight(
        frozenset({"prefecture_37"}),
        _undecided,
        _own_key("give_opinion"),
        lambda candidature, by: services.opinion_give(
            candidature=candidature, verdict="favorable", comment="Territoire prioritaire.", by=by
        ),
    ),
    "decision_record": ServiceRight(
        ANCT,
        _undecided,
        _own_key("decide"),
        lambda candidature, by: services.decision_record(
            candidature=candidature,
            posts_granted=1,
            number="COSELEC-2026-01",
            decided_on=datetime.date(2026, 1, 15),
            by=by,
        ),
    ),
    "match_mark_interest": ServiceRight(
        MANAGER,
        lambda scene: _validated_structure(scene),
        lambda scene: (StructureAbilities(scene.structure), "match_mark_interest"),
        lambda scene, by: services.match_mark_interest(
            structure=scene.structure, candidat=scene.candidat, interested=True, by=by
        ),
    ),
    "match_recruit": ServiceRight(
        MANAGER,
        _in_state(MatchState.INTERESTED),
        _own_key("recruit"),
        lambda match, by: services.match_recruit(match=match, by=by, **CONTRACT),
    ),
    "match_finalise": ServiceRight(
        ANCT,
        _in_state(MatchState.RECRUITED),
        _own_key("finalise"),
        lambda match, by: services.match_finalise(match=match, by=by),
    ),
    "match_end": ServiceRight(
        ANCT | MANAGER,
        _in_state(MatchState.FINALISED),
        _own_key("end"),
        lambda match, by: services.match_end(match=match, by=by),
    ),
    "rupture_declare": ServiceRight(
        MANAGER,
        _in_state(MatchState.FINALISED),
        _own_key("declare_rupture"),
        lambda match, by: services.rupture_declare(
            match=match, rupture_date=datetime.date(2026, 9, 30), motive="demission", by=by
        ),
    ),
    "rupture_validate": ServiceRight(
        ANCT,
        _in_state(MatchState.RUPTURE_DECLARED),
        _own_key("validate_rupture"),
        lambda match, by: services.rupture_validate(match=match, by=by),
    ),
}

# Public functions no person calls for themselves, hence without `by`: a check other services
# run, the beat task's flagging, and the registration form open to anyone.
NO_PERSON = {"check_salary", "posts_flag_long_vacancies", "candidats_register"}


def _public_functions(module) -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


def test_every_service_function_has_an_entry_in_the_table():
    assert _public_functions(services) == set(SERVICES) | NO_PERSON


@pytest.mark.parametrize("name", sorted(NO_PERSON))
def test_the_services_without_a_right_act_for_no_person(name):
    assert "by" not in inspect.signature(getattr(services, name)).parameters


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_is_refused_to_each_role_without_its_key(request, scene, name, persona):
    right = SERVICES[name]
    target = right.setup(scene)
    by = fresh(request.getfixturevalue(persona))
    holder, key = right.ability(target)

    assert holder.get_abilities(by)[key] is (persona in right.allowed)
    if persona in right.allowed:
        right.call(target, by)  # no refusal: the right is the only thing this case tests
    else:
        with pytest.raises(PermissionDenied):
            right.call(target, by)


# --- API -----------------------------------------------------------------------------------------


ROUTES = {
    # action → HTTP method, on the collection (False) or on one object (True)
    "list": ("get", False),
    "create": ("post", False),
    "retrieve": ("get", True),
    "update": ("put", True),
    "partial_update": ("patch", True),
    "destroy": ("delete", True),
}


def _router_actions() -> set[tuple[str, str]]:
    """(basename, action) for every route the conseillers router serves."""
    found = set()
    for _, viewset, basename in router.registry:
        allowed_methods = set(viewset.http_method_names)
        for name, (method, _detail) in ROUTES.items():
            if hasattr(viewset, name) and method in allowed_methods:
                found.add((basename, name))
        for extra in viewset.get_extra_actions():
            found.update((basename, name) for name in extra.mapping.values())
    return found


BASE = "/api/conseillers"
LOGGED_IN = frozenset(PERSONAS)
# Who sees the structure's applications and the conseiller's matches: out of it, 404.
SEES_APPLICATION = frozenset({"anct", "prefecture_37", "gestionnaire"})
SEES_MATCH = SEES_APPLICATION | {"conseiller"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[Any], str]
    allowed: frozenset[str]
    setup: Callable[[Scene], Any] = _on_structure
    body: Callable[[Any], Mapping[str, Any]] = lambda _: {}
    # The personas who cannot even see the object: 404, not 403.
    hidden: frozenset[str] = field(default_factory=frozenset)
    # Allowed, but whose body is refused as invalid (400) for a reason that is not a right.
    invalid: frozenset[str] = field(default_factory=frozenset)


def _application_action(slug: str, allowed: frozenset[str], **kwargs: Any) -> Endpoint:
    return Endpoint(
        "post",
        lambda candidature: f"{BASE}/candidatures/{candidature.pk}/{slug}/",
        allowed,
        setup=_undecided,
        hidden=LOGGED_IN - SEES_APPLICATION,
        **kwargs,
    )


def _match_action(slug: str, state: MatchState, allowed: frozenset[str], **kwargs) -> Endpoint:
    return Endpoint(
        "post",
        lambda match: f"{BASE}/mises-en-relation/{match.pk}/{slug}/",
        allowed,
        setup=_in_state(state),
        hidden=LOGGED_IN - SEES_MATCH,
        **kwargs,
    )


def _with_training(scene: Scene) -> Training:
    return Training.objects.create(
        candidat=scene.candidat, initial_hours=210, started_on=datetime.date(2026, 2, 9)
    )


def _validated_structure(scene: Scene) -> Scene:
    candidature_in(CandidatureState.VALIDATED, structure=scene.structure)
    return scene


def _with_unmet_demand(scene: Scene) -> Scene:
    CandidatureFactory(structure=scene.structure, posts_wished=3)
    return scene


API: dict[tuple[str, str], Endpoint] = {
    ("candidature", "list"): Endpoint("get", lambda _: f"{BASE}/candidatures/", LOGGED_IN),
    ("candidature", "retrieve"): Endpoint(
        "get",
        lambda candidature: f"{BASE}/candidatures/{candidature.pk}/",
        SEES_APPLICATION,
        setup=_undecided,
        hidden=LOGGED_IN - SEES_APPLICATION,
    ),
    ("candidature", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/candidatures/",
        MANAGER,
        body=lambda structure: {
            **APPLICATION,
            "start_date": "2026-01-05",
            "structure": structure.pk,
        },
    ),
    ("candidature", "examine"): _application_action("examine", ANCT),
    ("candidature", "refuse"): _application_action(
        "refuse", ANCT, body=lambda _: {"reason": REASON}
    ),
    ("candidature", "cancel"): _application_action(
        "cancel", ANCT, body=lambda _: {"reason": REASON}
    ),
    ("candidature", "mark_duplicate"): _application_action(
        "mark-duplicate", ANCT, body=lambda _: {"reason": REASON}
    ),
    ("candidature", "abandon"): _application_action("abandon", ANCT | MANAGER),
    ("candidature", "opinion"): _application_action(
        "opinion",
        frozenset({"prefecture_37"}),
        body=lambda _: {"verdict": "favorable", "comment": "Territoire prioritaire."},
    ),
    ("candidature", "decisions"): Endpoint(
        "get",
        lambda candidature: f"{BASE}/candidatures/{candidature.pk}/decisions/",
        SEES_APPLICATION,
        setup=_undecided,
        hidden=LOGGED_IN - SEES_APPLICATION,
    ),
    ("candidature", "record_decision"): _application_action(
        "decisions",
        ANCT,
        body=lambda _: {"posts_granted": 1, "number": "COSELEC-1", "decided_on": "2026-01-15"},
    ),
    ("enveloppe", "list"): Endpoint("get", lambda _: f"{BASE}/enveloppes/", LOGGED_IN),
    ("enveloppe", "retrieve"): Endpoint("get", lambda _: f"{BASE}/enveloppes/37/", LOGGED_IN),
    ("enveloppe", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/enveloppes/",
        ANCT,
        body=lambda _: {"departement": "37", "posts": 40, "reason": REASON},
    ),
    ("enveloppe", "proposal"): Endpoint(
        "post", lambda _: f"{BASE}/enveloppes/proposition/", ANCT, body=lambda _: {"total": 100}
    ),
    ("enveloppe", "apply"): Endpoint(
        "post",
        lambda _: f"{BASE}/enveloppes/appliquer/",
        ANCT,
        body=lambda _: {"allocation": {"37": 40}, "reason": REASON},
    ),
    ("enveloppe", "redistribution"): Endpoint(
        "post",
        lambda _: f"{BASE}/enveloppes/redistribution/",
        ANCT,
        setup=_with_unmet_demand,
        body=lambda _: {"total": 1},
    ),
    ("candidat", "list"): Endpoint(
        "get",
        lambda scene: f"{BASE}/candidats/?structure={scene.structure.pk}",
        MANAGER,
        setup=_validated_structure,
    ),
    # Anyone logged in registers themselves (the conseiller is told they already are).
    ("candidat", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/candidats/",
        LOGGED_IN,
        invalid=frozenset({"conseiller"}),
        body=lambda _: {
            "first_name": "Alex",
            "last_name": "Martin",
            "email": "alex.martin@exemple.fr",
            "situation": "demandeur_emploi",
            "available_from": "2026-03-01",
            "departements": ["37"],
            "pix_level": 2,
        },
    ),
    ("candidat", "interest"): Endpoint(
        "post",
        lambda scene: f"{BASE}/candidats/{scene.candidat.pk}/interest/",
        MANAGER,
        setup=_validated_structure,
        body=lambda scene: {"structure": scene.structure.pk, "interested": True},
    ),
    ("mise-en-relation", "list"): Endpoint(
        "get", lambda _: f"{BASE}/mises-en-relation/", LOGGED_IN
    ),
    ("mise-en-relation", "retrieve"): Endpoint(
        "get",
        lambda match: f"{BASE}/mises-en-relation/{match.pk}/",
        SEES_MATCH,
        setup=_in_state(MatchState.INTERESTED),
        hidden=LOGGED_IN - SEES_MATCH,
    ),
    ("mise-en-relation", "recruit"): _match_action(
        "recruit",
        MatchState.INTERESTED,
        MANAGER,
        body=lambda _: {**CONTRACT, "start_date": "2026-02-02", "end_date": "2028-02-01"},
    ),
    ("mise-en-relation", "finalise"): _match_action("finalise", MatchState.RECRUITED, ANCT),
    ("mise-en-relation", "end"): _match_action("end", MatchState.FINALISED, ANCT | MANAGER),
    ("mise-en-relation", "rupture"): _match_action(
        "rupture",
        MatchState.FINALISED,
        MANAGER,
        body=lambda _: {"rupture_date": "2026-09-30", "motive": "demission"},
    ),
    ("mise-en-relation", "validate_rupture"): _match_action(
        "validate-rupture", MatchState.RUPTURE_DECLARED, ANCT
    ),
    ("smic", "list"): Endpoint("get", lambda _: f"{BASE}/smic/", LOGGED_IN),
    ("formation", "list"): Endpoint("get", lambda _: f"{BASE}/formations/", LOGGED_IN),
    ("formation", "retrieve"): Endpoint(
        "get",
        lambda training: f"{BASE}/formations/{training.pk}/",
        frozenset({"anct", "conseiller"}),
        setup=_with_training,
        hidden=LOGGED_IN - {"anct", "conseiller"},
    ),
    ("formation", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/formations/",
        ANCT,
        setup=lambda scene: CandidatFactory(),
        body=lambda candidat: {
            "candidat": candidat.pk,
            "initial_hours": 210,
            "started_on": "2026-02-09",
        },
    ),
    # Checked before the training is looked up: refused alike whether the person sees it or not.
    ("formation", "partial_update"): Endpoint(
        "patch",
        lambda training: f"{BASE}/formations/{training.pk}/",
        ANCT,
        setup=_with_training,
        body=lambda _: {"initial_hours": 420},
    ),
}


def test_every_api_action_of_the_router_has_an_entry_in_the_table():
    assert _router_actions() == set(API)


def _send(client, endpoint: Endpoint, target: Any):
    url, body = endpoint.path(target), dict(endpoint.body(target))
    if endpoint.method == "get":
        return client.get(url)
    if endpoint.method == "post":
        return post(client, url, body)
    return client.patch(url, body, content_type="application/json")


@pytest.mark.parametrize("persona", API_PERSONAS)
@pytest.mark.parametrize("action", sorted(API), ids="-".join)
def test_each_api_action_is_refused_to_each_role_without_its_right(
    request, client, scene, action, persona
):
    endpoint = API[action]
    target = endpoint.setup(scene)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = _send(client, endpoint, target)

    if persona == "anonymous":
        expected = (401, "not_authenticated")
    elif persona in endpoint.invalid:
        expected = (400, "invalid")
    elif persona in endpoint.allowed:
        assert response.status_code < 400, response.content
        return
    elif persona in endpoint.hidden:
        expected = (404, "not_found")
    else:
        expected = (403, "permission_denied")
    assert (response.status_code, response.json()["code"]) == expected
