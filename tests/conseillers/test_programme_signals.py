"""The programme announces its facts to the subsidy with signals, and never imports it.

A receiver runs inside the service's transaction: if it fails, the programme's write is undone
with it (`conseillers.signals`).
"""

import ast
from pathlib import Path

import pytest

from conseillers import services, signals
from conseillers.models import Match, MatchState, MatchTransition, Post
from tests.conseillers.factories import match_in

pytestmark = pytest.mark.django_db

CONSEILLERS = Path(services.__file__).parent


class ReceiverFailed(Exception):
    pass


def _failing_receiver(sender, **kwargs):
    raise ReceiverFailed


@pytest.fixture
def failing(request):
    """Connects a receiver that fails to the signal given as parameter, for one test."""
    signal = request.param
    signal.connect(_failing_receiver, dispatch_uid="test-failing-receiver")
    yield signal
    signal.disconnect(dispatch_uid="test-failing-receiver")


@pytest.mark.parametrize("failing", [signals.recruitment_validated], indirect=True)
def test_a_failing_receiver_undoes_the_validation_of_the_recruitment(
    failing, structure, validated, anct
):
    match = match_in(MatchState.RECRUITED, structure=structure)

    with pytest.raises(ReceiverFailed):
        services.match_finalise(match=match, by=anct)

    assert Match.objects.get(pk=match.pk).state == MatchState.RECRUITED
    assert not MatchTransition.objects.filter(match=match).exists()


@pytest.mark.parametrize("failing", [signals.rupture_validated], indirect=True)
def test_a_failing_receiver_undoes_the_validation_of_the_rupture(
    failing, structure, validated, anct
):
    match = match_in(MatchState.RUPTURE_DECLARED, structure=structure)

    with pytest.raises(ReceiverFailed):
        services.rupture_validate(match=match, by=anct)

    assert Match.objects.get(pk=match.pk).state == MatchState.RUPTURE_DECLARED
    assert Post.objects.filter(holder=match, vacant_since__isnull=True).exists()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_nothing_of_the_programme_imports_its_subsidy():
    """One way: the subsidy imports the programme, the programme includes the subsidy's URLs by
    name only. Migrations are history: they keep naming the code their schema came from."""
    programme = [
        path
        for path in CONSEILLERS.rglob("*.py")
        if not path.is_relative_to(CONSEILLERS / "subsidy")
        and "migrations" not in path.relative_to(CONSEILLERS).parts
    ]
    importing = {
        str(path.relative_to(CONSEILLERS))
        for path in programme
        if any(
            module == "conseillers.subsidy" or module.startswith("conseillers.subsidy.")
            for module in _imported_modules(path)
        )
    }
    assert programme
    assert importing == set()


@pytest.mark.parametrize("failing", [signals.contract_ended], indirect=True)
def test_a_failing_receiver_undoes_the_end_of_the_contract(failing, structure, validated, anct):
    match = match_in(MatchState.FINALISED, structure=structure)

    with pytest.raises(ReceiverFailed):
        services.match_end(match=match, by=anct)

    assert Match.objects.get(pk=match.pk).state == MatchState.FINALISED
