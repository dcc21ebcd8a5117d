"""A structure's career through the real services: grant posts, recruit, validate, break off."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from conseillers import services
from conseillers.models import CandidatureState, Match, MatchState
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Subvention, Tranche, TrancheState
from core.models import Structure, User
from tests.conseillers.factories import CandidatFactory, DecisionFactory, MatchFactory
from tests.pdfs import PLAIN as PDF


def pdf(name: str = "piece.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def months_ago(months: int, today: datetime.date | None = None) -> datetime.date:
    from django.utils import timezone

    return add_months(today or timezone.localdate(), -months)


@dataclass
class Career:
    structure: Structure
    manager: User
    anct: User
    posts: int = 3

    def __post_init__(self) -> None:
        if not self.structure.candidatures.filter(state=CandidatureState.VALIDATED).exists():
            DecisionFactory(
                candidature__structure=self.structure,
                candidature__state=CandidatureState.VALIDATED,
                posts_granted=self.posts,
            )

    def recruit(
        self,
        start: datetime.date,
        *,
        salary: Decimal = Decimal("1900.00"),
        finalise: bool = True,
    ) -> Match:
        match = MatchFactory(
            structure=self.structure, candidat=CandidatFactory(), state=MatchState.INTERESTED
        )
        services.match_recruit(
            match=match,
            contract_type="cdi",
            start_date=start,
            end_date=None,
            gross_monthly_salary=salary,
            weekly_hours=Decimal("35"),
            by=self.manager,
        )
        if finalise:
            services.match_finalise(match=match, by=self.anct)
        return Match.objects.get(pk=match.pk)

    def rupture(self, match: Match, day: datetime.date) -> Match:
        services.rupture_declare(match=match, rupture_date=day, motive="demission", by=self.manager)
        return services.rupture_validate(match=match, by=self.anct)

    def subvention(self, match: Match) -> Subvention:
        return Subvention.objects.get(post__holdings__match=match)

    def tranches(self, match: Match) -> list[Tranche]:
        return list(self.subvention(match).tranches.order_by("rank"))

    def justify(self, tranche: Tranche) -> None:
        documents = {kind: pdf(f"{kind}.pdf") for kind in tranche.required_documents}
        subsidy.tranche_submit(tranche=tranche, documents=documents, by=self.manager)

    def pay(self, tranche: Tranche, reference: str, day: datetime.date) -> None:
        """Approves (justifying first when needed) and records the payment of a due tranche."""
        tranche.refresh_from_db(fields=["justification"])
        state = Tranche.objects.get(pk=tranche.pk).state
        if state in (TrancheState.DUE, TrancheState.TO_CORRECT) and tranche.needs_justification:
            self.justify(Tranche.objects.get(pk=tranche.pk))
            state = TrancheState.SUBMITTED
        if state in (TrancheState.DUE, TrancheState.SUBMITTED):
            subsidy.tranche_approve(tranche=Tranche.objects.get(pk=tranche.pk), by=self.anct)
        subsidy.payment_record(
            tranche=Tranche.objects.get(pk=tranche.pk),
            reference=reference,
            paid_on=day,
            by=self.anct,
        )
