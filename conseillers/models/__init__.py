"""Models of the conseillers module, re-exported here.

- `programme`: envelopes, applications, opinions, decisions, candidates, matches, contracts,
  posts, training and the SMIC table.
- `matching`: proposals of candidates to structures by distance, and their refreshes.
- `dashboard`: the territorial dashboard's figures per département, aggregated ahead of readers.

The subsidy's models (regimes, conventions, tranches, payments, …) live in their own app,
`conseillers.subsidy.models`, which depends on these and never the reverse.
"""

from conseillers.models.dashboard import DepartementFigures
from conseillers.models.matching import Proposal, ProposalRun, RunStructureCount
from conseillers.models.programme import (
    CENTS,
    OCCUPYING,
    OPEN,
    UNDECIDED,
    Candidat,
    CandidatQuerySet,
    Candidature,
    CandidatureQuerySet,
    CandidatureState,
    CandidatureTransition,
    CertificationStatus,
    Contract,
    ContractType,
    Decision,
    DecisionKind,
    Envelope,
    EnvelopeQuerySet,
    Match,
    MatchQuerySet,
    MatchState,
    MatchTransition,
    OpinionVerdict,
    Post,
    PostHolding,
    PostKind,
    PrefectureOpinion,
    Rupture,
    RuptureMotive,
    Situation,
    SmicRate,
    Training,
)

__all__ = [
    "CENTS",
    "OCCUPYING",
    "OPEN",
    "UNDECIDED",
    "Candidat",
    "CandidatQuerySet",
    "Candidature",
    "CandidatureQuerySet",
    "CandidatureState",
    "CandidatureTransition",
    "CertificationStatus",
    "Contract",
    "ContractType",
    "Decision",
    "DecisionKind",
    "DepartementFigures",
    "Envelope",
    "EnvelopeQuerySet",
    "Match",
    "MatchQuerySet",
    "MatchState",
    "MatchTransition",
    "OpinionVerdict",
    "Post",
    "PostHolding",
    "PostKind",
    "PrefectureOpinion",
    "Proposal",
    "ProposalRun",
    "RunStructureCount",
    "Rupture",
    "RuptureMotive",
    "Situation",
    "SmicRate",
    "Training",
]
