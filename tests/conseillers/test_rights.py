"""Every write of the programme and its subsidy, and every action of their API, refused to each
role without the right.

The tables are written from the programme's rules (DOMAIN.md), not read from the abilities: for
each service function and each API action, the personas the rules allow. The enumeration tests
list the functions of `conseillers.services` and `conseillers.subsidy.services` and the actions of
the API routers by introspection, so that a new one without an entry here fails. Each right is
also checked to be a key of a `get_abilities` that grants it to exactly the allowed personas: the
one place to read it.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from conseillers import services, signals
from conseillers.abilities import PROGRAMME, StructureAbilities
from conseillers.api.urls import router
from conseillers.models import Candidat, CandidatureState, Match, MatchState, Training
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.abilities import SUBSIDY_PROGRAMME
from conseillers.subsidy.api import router as subsidy_router
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import (
    Convention,
    ConventionRenewal,
    NoticeImportSource,
    Payment,
    Recovery,
    Regime,
    Tranche,
)
from core.models import Departement, Structure, User
from tests.conseillers.api.helpers import post
from tests.conseillers.factories import (
    CONTRACT,
    CandidatFactory,
    CandidatureFactory,
    candidature_in,
    match_in,
)
from tests.conseillers.subsidy.helpers import Career, months_ago, pdf
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
    """What each case starts from: the structure (Indre-et-Loire), the conseiller's record, and
    the people who run a career there through the real services."""

    structure: Structure
    candidat: Candidat
    manager: User
    anct: User

    def undecided(self):
        """An application of the structure, awaiting the préfecture and ANCT."""
        return candidature_in(CandidatureState.CREATED, structure=self.structure)

    def match(self, state: MatchState) -> Match:
        """A match of the conseiller at the structure (validated for one post) in `state`."""
        candidature_in(CandidatureState.VALIDATED, structure=self.structure)
        return match_in(state, structure=self.structure, candidat=self.candidat)

    def career(self) -> Career:
        """The structure granted three posts, ready to recruit through the real services."""
        return Career(structure=self.structure, manager=self.manager, anct=self.anct)

    def tranches(self) -> list[Tranche]:
        """A conseiller recruited 13 months ago: tranche 1 due as it is, tranche 2 due on a
        justification."""
        career = self.career()
        return career.tranches(career.recruit(months_ago(13)))

    def submitted(self) -> Tranche:
        career, tranche = self.career(), self.tranches()[1]
        career.justify(tranche)
        return Tranche.objects.get(pk=tranche.pk)

    def approved(self) -> Tranche:
        tranche = self.tranches()[0]
        subsidy.tranche_approve(tranche=tranche, by=self.anct)
        return Tranche.objects.get(pk=tranche.pk)

    def payment(self) -> Payment:
        tranche = self.approved()
        return subsidy.payment_record(
            tranche=tranche, reference="BDT-1", paid_on=months_ago(12), by=self.anct
        )

    def recovery(self, *, claimed: bool = False) -> Recovery:
        """Tranche 1 paid, then a rupture after 3 months: the overpaid part is to recover."""
        career = self.career()
        start = months_ago(20)
        match = career.recruit(start)
        career.pay(career.tranches(match)[0], "BDT-1", start)
        career.rupture(match, add_months(start, 3))
        subsidy.subventions_reconcile(today=months_ago(0))
        recovery = Recovery.objects.get()
        if claimed:
            recovery = subsidy.recovery_claim(
                recovery=recovery, reference="TR-1", claimed_on=months_ago(0), by=self.anct
            )
        return recovery

    def renewable(self) -> Convention:
        """A conseiller in post for 20 months: the convention's renewal window is open."""
        career = self.career()
        return career.subvention(career.recruit(months_ago(20))).convention

    def renewal_initiated(self) -> Convention:
        convention = self.renewable()
        renewals.renewal_initiate(
            convention=convention, post_ids=_renewable_posts(convention), by=self.manager
        )
        return convention


def _renewable_posts(convention: Convention) -> list[int]:
    return [s.post_id for s in renewals.renewable_subventions(convention)]


def _renewal_key(key: str) -> Callable[[Convention], tuple[Any, str]]:
    return lambda convention: (ConventionRenewal.of(convention), key)


@pytest.fixture
def scene(
    structure: Structure, conseiller_candidat: Candidat, gestionnaire, anct, envelope_37
) -> Scene:
    return Scene(structure=structure, candidat=conseiller_candidat, manager=gestionnaire, anct=anct)


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


def _notice(tranche: Tranche) -> bytes:
    amount = f"{tranche.amount_cents // 100},{tranche.amount_cents % 100:02d}"
    return (
        "Référence ordre;Référence paiement;Date de paiement;Montant (€)\n"
        f"{tranche.order_reference};BDT-1;02/03/2026;{amount}\n"
    ).encode()


def _regime(_: Scene) -> Regime:
    return Regime.objects.get(code="france-relance-2021")


def _subsidy_key(key: str) -> Callable[[Any], tuple[Any, str]]:
    return lambda _: (SUBSIDY_PROGRAMME, key)


REGIME = {
    "code": "essai",
    "name": "Essai",
    "duration_months": 24,
    "total_cents": 1_000_000,
    "vacancy_window_months": 6,
}
REGIME_LINES = [
    {"rank": 1, "label": "Tranche 1", "share_bp": 10_000, "trigger": "recrutement_valide"},
]

SUBSIDY_SERVICES: dict[str, ServiceRight] = {
    "regime_create": ServiceRight(
        ANCT,
        _on_structure,
        _subsidy_key("regime_create"),
        lambda _, by: subsidy.regime_create(lines=REGIME_LINES, by=by, **REGIME),
    ),
    "regime_set_default": ServiceRight(
        ANCT,
        _regime,
        _subsidy_key("regime_set_default"),
        lambda regime, by: subsidy.regime_set_default(regime=regime, by=by),
    ),
    "convention_sign": ServiceRight(
        ANCT,
        lambda scene: (scene.career(), scene.structure.candidatures.get())[1],
        _subsidy_key("convention_sign"),
        lambda candidature, by: subsidy.convention_sign(
            candidature=candidature,
            regime=Regime.objects.get(code="france-relance-2021"),
            signed_on=datetime.date(2026, 1, 20),
            by=by,
        ),
    ),
    "tranche_submit": ServiceRight(
        MANAGER,
        lambda scene: scene.tranches()[1],
        _own_key("submit"),
        lambda tranche, by: subsidy.tranche_submit(
            tranche=tranche,
            documents={kind: pdf(f"{kind}.pdf") for kind in tranche.required_documents},
            by=by,
        ),
    ),
    "tranche_approve": ServiceRight(
        ANCT,
        lambda scene: scene.tranches()[0],
        _own_key("approve"),
        lambda tranche, by: subsidy.tranche_approve(tranche=tranche, by=by),
    ),
    "tranche_send_back": ServiceRight(
        ANCT,
        Scene.submitted,
        _own_key("send_back"),
        lambda tranche, by: subsidy.tranche_send_back(tranche=tranche, reason=REASON, by=by),
    ),
    "payment_record": ServiceRight(
        ANCT,
        Scene.approved,
        _own_key("pay"),
        lambda tranche, by: subsidy.payment_record(
            tranche=tranche, reference="BDT-1", paid_on=datetime.date(2026, 3, 2), by=by
        ),
    ),
    "payment_record_once": ServiceRight(
        ANCT,
        Scene.approved,
        _own_key("pay"),
        lambda tranche, by: subsidy.payment_record_once(
            tranche=tranche, reference="BDT-1", paid_on=datetime.date(2026, 3, 2), by=by
        ),
    ),
    "payments_schedule": ServiceRight(
        ANCT,
        Scene.approved,
        _own_key("pay"),
        lambda tranche, by: subsidy.payments_schedule(
            tranches=[tranche], reference="BDT-1", paid_on=datetime.date(2026, 3, 2), by=by
        ),
    ),
    "payment_notices_import": ServiceRight(
        ANCT,
        Scene.approved,
        _subsidy_key("payment_record"),
        lambda tranche, by: subsidy.payment_notices_import(
            content=_notice(tranche),
            file_name="avis.csv",
            dry_run=False,
            source=NoticeImportSource.API,
            by=by,
        ),
    ),
    "payment_correct": ServiceRight(
        ANCT,
        Scene.payment,
        _subsidy_key("payment_correct"),
        lambda payment, by: subsidy.payment_correct(
            payment=payment,
            amount_cents=-100,
            reference="BDT-1-C",
            paid_on=datetime.date(2026, 3, 9),
            reason=REASON,
            by=by,
        ),
    ),
    "recovery_claim": ServiceRight(
        ANCT,
        Scene.recovery,
        _own_key("claim"),
        lambda recovery, by: subsidy.recovery_claim(
            recovery=recovery, reference="TR-1", claimed_on=datetime.date(2026, 11, 2), by=by
        ),
    ),
    "recovery_settle": ServiceRight(
        ANCT,
        lambda scene: scene.recovery(claimed=True),
        _own_key("settle"),
        lambda recovery, by: subsidy.recovery_settle(
            recovery=recovery, recovered_on=datetime.date(2026, 12, 1), by=by
        ),
    ),
}

RENEWAL_SERVICES: dict[str, ServiceRight] = {
    "renewal_initiate": ServiceRight(
        MANAGER,
        Scene.renewable,
        _renewal_key("initiate"),
        lambda convention, by: renewals.renewal_initiate(
            convention=convention, post_ids=_renewable_posts(convention), by=by
        ),
    ),
    "renewal_decline": ServiceRight(
        MANAGER,
        Scene.renewable,
        _renewal_key("decline"),
        lambda convention, by: renewals.renewal_decline(convention=convention, by=by),
    ),
    "renewal_validate": ServiceRight(
        ANCT,
        Scene.renewal_initiated,
        _renewal_key("validate"),
        lambda convention, by: renewals.renewal_validate(
            renewal=ConventionRenewal.of(convention), by=by
        ),
    ),
    "renewal_refuse": ServiceRight(
        ANCT,
        Scene.renewal_initiated,
        _renewal_key("refuse"),
        lambda convention, by: renewals.renewal_refuse(
            renewal=ConventionRenewal.of(convention), reason=REASON, by=by
        ),
    ),
}
# The renewal's reads, its arithmetic and its beat task (as the system).
RENEWAL_NO_PERSON = {
    *("renewable_subventions", "schedule", "window_months", "renewal_regime_code"),
    "renewals_release",
}

# Public functions no person calls for themselves, hence without `by`: a check other services
# run, the beat task's flagging, the subsidy's reconciliation returning a post, and the
# registration form open to anyone.
NO_PERSON = {
    *("check_salary", "posts_flag_long_vacancies", "posts_mark_returned"),
    "candidats_register",
}
# The subsidy's beat tasks act as the system (`by` absent, or None by default: the system).
SUBSIDY_SYSTEM = {"subventions_reconcile", "tranches_mark_due", "justifications_claim_reminders"}
# The subsidy's answers to the programme's facts: run by the receivers of `conseillers.signals`
# inside `match_finalise` and `rupture_validate`, which check ANCT's right under their lock.
SUBSIDY_HOOKS = {
    "subvention_open": signals.recruitment_validated,
    "subvention_suspend": signals.rupture_validated,
}


def _public_functions(module) -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


ALL_SERVICES = {**SERVICES, **SUBSIDY_SERVICES, **RENEWAL_SERVICES}


def test_every_service_function_has_an_entry_in_the_table():
    assert _public_functions(services) == set(SERVICES) | NO_PERSON
    assert _public_functions(subsidy) == set(SUBSIDY_SERVICES) | SUBSIDY_SYSTEM | set(SUBSIDY_HOOKS)
    assert _public_functions(renewals) == set(RENEWAL_SERVICES) | RENEWAL_NO_PERSON


@pytest.mark.parametrize("name", sorted(NO_PERSON))
def test_the_services_without_a_right_act_for_no_person(name):
    assert "by" not in inspect.signature(getattr(services, name)).parameters


@pytest.mark.parametrize("name", sorted(SUBSIDY_SYSTEM))
def test_the_subsidy_beat_services_act_as_the_system(name):
    by = inspect.signature(getattr(subsidy, name)).parameters.get("by")
    assert by is None or by.default is None


@pytest.mark.parametrize("name", sorted(SUBSIDY_HOOKS))
def test_the_subsidy_hooks_answer_a_signal_of_the_programme(name):
    assert SUBSIDY_HOOKS[name].has_listeners(Match)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ALL_SERVICES))
def test_each_service_is_refused_to_each_role_without_its_key(request, scene, name, persona):
    right = ALL_SERVICES[name]
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
    """(basename, action) for every route the conseillers routers serve (programme, subsidy)."""
    found = set()
    for _, viewset, basename in [*router.registry, *subsidy_router.registry]:
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
    # Files are sent as multipart/form-data, the rest as JSON.
    multipart: bool = False


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
    ("poste", "list"): Endpoint("get", lambda _: f"{BASE}/postes/", LOGGED_IN),
    ("poste", "retrieve"): Endpoint(
        "get",
        lambda post: f"{BASE}/postes/{post.pk}/",
        SEES_APPLICATION,
        setup=lambda scene: scene.tranches()[0].subvention.post,
        hidden=LOGGED_IN - SEES_APPLICATION,
    ),
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


# Who sees a structure's subsidy (conventions, subventions, tranches, payments, recoveries).
SEES_SUBSIDY = SEES_APPLICATION
TERRITORY = frozenset({"anct", "prefecture_37", "prefecture_33"})


def _subsidy_object(path: str, setup: Callable[[Scene], Any], allowed, **kwargs) -> Endpoint:
    return Endpoint(
        "post",
        lambda obj: f"{BASE}/{path.format(pk=obj.pk)}",
        allowed,
        setup=setup,
        hidden=LOGGED_IN - SEES_SUBSIDY,
        **kwargs,
    )


def _read_object(path: str, setup: Callable[[Scene], Any]) -> Endpoint:
    endpoint = _subsidy_object(path, setup, SEES_SUBSIDY)
    return Endpoint("get", endpoint.path, endpoint.allowed, setup=setup, hidden=endpoint.hidden)


def _convention(scene: Scene):
    career = scene.career()
    career.recruit(months_ago(1))
    return career.structure.conventions.get()


def _subvention(scene: Scene):
    return scene.tranches()[0].subvention


SUBSIDY_API: dict[tuple[str, str], Endpoint] = {
    ("regime", "list"): Endpoint("get", lambda _: f"{BASE}/regimes/", LOGGED_IN),
    ("regime", "retrieve"): Endpoint(
        "get", lambda regime: f"{BASE}/regimes/{regime.pk}/", LOGGED_IN, setup=_regime
    ),
    ("regime", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/regimes/",
        ANCT,
        body=lambda _: {**REGIME, "lines": REGIME_LINES},
    ),
    ("convention", "list"): Endpoint("get", lambda _: f"{BASE}/conventions/", LOGGED_IN),
    ("convention", "retrieve"): _read_object("conventions/{pk}/", _convention),
    ("convention", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/conventions/",
        ANCT,
        setup=lambda scene: (scene.career(), scene.structure.candidatures.get())[1],
        body=lambda candidature: {
            "candidature": candidature.pk,
            "regime": Regime.objects.get(code="france-relance-2021").pk,
            "signed_on": "2026-01-20",
        },
    ),
    ("subvention", "list"): Endpoint("get", lambda _: f"{BASE}/subventions/", LOGGED_IN),
    ("subvention", "retrieve"): _read_object("subventions/{pk}/", _subvention),
    ("tranche", "list"): Endpoint("get", lambda _: f"{BASE}/tranches/", LOGGED_IN),
    ("tranche", "retrieve"): _read_object("tranches/{pk}/", lambda scene: scene.tranches()[0]),
    ("tranche", "justify"): _subsidy_object(
        "tranches/{pk}/justify/",
        lambda scene: scene.tranches()[1],
        MANAGER,
        body=lambda tranche: {kind: pdf(f"{kind}.pdf") for kind in tranche.required_documents},
        multipart=True,
    ),
    ("tranche", "approve"): _subsidy_object(
        "tranches/{pk}/approve/", lambda scene: scene.tranches()[0], ANCT
    ),
    ("tranche", "send_back"): _subsidy_object(
        "tranches/{pk}/send-back/", Scene.submitted, ANCT, body=lambda _: {"reason": REASON}
    ),
    ("tranche", "pay"): _subsidy_object(
        "tranches/{pk}/pay/",
        Scene.approved,
        ANCT,
        body=lambda _: {"reference": "BDT-1", "paid_on": "2026-03-02"},
    ),
    ("paiement", "list"): Endpoint("get", lambda _: f"{BASE}/paiements/", LOGGED_IN),
    ("paiement", "correct"): _subsidy_object(
        "paiements/{pk}/correct/",
        Scene.payment,
        ANCT,
        body=lambda _: {"amount_cents": -100, "paid_on": "2026-03-09", "reason": REASON},
    ),
    ("reversement", "list"): Endpoint("get", lambda _: f"{BASE}/reversements/", LOGGED_IN),
    ("reversement", "claim"): _subsidy_object(
        "reversements/{pk}/claim/",
        Scene.recovery,
        ANCT,
        body=lambda _: {"reference": "TR-1", "claimed_on": "2026-11-02"},
    ),
    ("reversement", "settle"): _subsidy_object(
        "reversements/{pk}/settle/",
        lambda scene: scene.recovery(claimed=True),
        ANCT,
        body=lambda _: {"recovered_on": "2026-12-01"},
    ),
    ("ordre-de-paiement", "list"): Endpoint("get", lambda _: f"{BASE}/ordres-de-paiement/", ANCT),
    ("budget", "list"): Endpoint("get", lambda _: f"{BASE}/budget/", TERRITORY),
    ("avis-de-paiement", "list"): Endpoint("get", lambda _: f"{BASE}/avis-de-paiement/", ANCT),
    ("avis-de-paiement", "create"): Endpoint(
        "post",
        lambda _: f"{BASE}/avis-de-paiement/",
        ANCT,
        setup=Scene.approved,
        body=lambda tranche: {"fichier": SimpleUploadedFile("avis.csv", _notice(tranche))},
        multipart=True,
    ),
    ("reconventionnement", "list"): Endpoint(
        "get", lambda _: f"{BASE}/reconventionnements/", LOGGED_IN
    ),
    ("reconventionnement", "retrieve"): _read_object("reconventionnements/{pk}/", Scene.renewable),
    ("reconventionnement", "demander"): _subsidy_object(
        "reconventionnements/{pk}/demander/",
        Scene.renewable,
        MANAGER,
        body=lambda convention: {"posts": _renewable_posts(convention)},
    ),
    ("reconventionnement", "ne_pas_renouveler"): _subsidy_object(
        "reconventionnements/{pk}/ne-pas-renouveler/", Scene.renewable, MANAGER
    ),
    ("reconventionnement", "valider"): _subsidy_object(
        "reconventionnements/{pk}/valider/", Scene.renewal_initiated, ANCT
    ),
    ("reconventionnement", "refuser"): _subsidy_object(
        "reconventionnements/{pk}/refuser/",
        Scene.renewal_initiated,
        ANCT,
        body=lambda _: {"reason": REASON},
    ),
}
ALL_API = {**API, **SUBSIDY_API}


def test_every_api_action_of_the_routers_has_an_entry_in_the_table():
    assert _router_actions() == set(ALL_API)


def _send(client, endpoint: Endpoint, target: Any):
    url, body = endpoint.path(target), dict(endpoint.body(target))
    if endpoint.method == "get":
        return client.get(url)
    if endpoint.multipart:
        return client.post(url, body)
    if endpoint.method == "post":
        return post(client, url, body)
    return client.patch(url, body, content_type="application/json")


@pytest.mark.parametrize("persona", API_PERSONAS)
@pytest.mark.parametrize("action", sorted(ALL_API), ids="-".join)
def test_each_api_action_is_refused_to_each_role_without_its_right(
    request, client, scene, action, persona
):
    endpoint = ALL_API[action]
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
