"""Reads of the extension pages, in a constant number of queries."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from conseillers.extensions.models import ContractExtension, ExtensionState
from conseillers.models import Match
from core.models import User

RELATED = ("contract__match__structure__departement", "contract__match__candidat")


def extensions_for(user: User) -> QuerySet[ContractExtension]:
    """The requests a person may see, the pending ones first (ANCT's work), then the newest."""
    pending_first = Case(
        When(state=ExtensionState.REQUESTED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        ContractExtension.objects.visible_to(user)
        .select_related(*RELATED)
        .order_by(pending_first, "-requested_at", "-pk")
    )


def extensions_of_match(match: Match) -> list[ContractExtension]:
    """A contract's requests, oldest first: the history of its end dates."""
    return list(
        ContractExtension.objects.filter(contract__match=match)
        .select_related("requested_by", "decided_by")
        .order_by("requested_at", "pk")
    )
