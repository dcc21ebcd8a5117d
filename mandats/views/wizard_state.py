"""The new-mandate wizard's state, kept in the aidant's session between its steps: the choice of
step 1 (organisation, démarches, duration), then the usager FranceConnect identified at step 2.

The session stores plain JSON; `load` reads it back only if it has exactly the shape `save`
writes, so a tampered or outdated value can never reach a page as something else."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from mandats.models import Demarche, HabilitatedOrganisation, MandatDuration

WIZARD_SESSION_KEY = "mandats_nouveau_mandat"
# The usager in front of the aidant at step 2 must still be there at step 3.
IDENTITY_MAX_AGE = timedelta(minutes=15)
_CHOICE_KEYS = {"organisation_id", "demarches", "duration"}
_IDENTITY_KEYS = {"usager_id", "identified_at"}


class InvalidWizardState(ValueError):
    """The session holds, under the wizard's key, something `save` never wrote."""


@dataclass(frozen=True)
class MandatWizardState:
    organisation_id: int
    demarches: tuple[str, ...]
    duration: MandatDuration
    usager_id: int | None = None
    identified_at: float | None = None

    @classmethod
    def load(cls, session: SessionBase) -> MandatWizardState | None:
        """None when no mandate is in progress; `InvalidWizardState` when the value is not one."""
        raw = session.get(WIZARD_SESSION_KEY)
        if raw is None:
            return None
        if not isinstance(raw, dict) or not _CHOICE_KEYS <= raw.keys() <= (
            _CHOICE_KEYS | _IDENTITY_KEYS
        ):
            raise InvalidWizardState("clés inattendues")
        return cls(
            organisation_id=_integer(raw["organisation_id"]),
            demarches=_demarches(raw["demarches"]),
            duration=_duration(raw["duration"]),
            usager_id=_optional_integer(raw.get("usager_id")),
            identified_at=_optional_timestamp(raw.get("identified_at")),
        )

    def save(self, session: SessionBase) -> None:
        value: dict[str, Any] = {
            "organisation_id": self.organisation_id,
            "demarches": list(self.demarches),
            "duration": self.duration.value,
        }
        if self.usager_id is not None:
            value |= {"usager_id": self.usager_id, "identified_at": self.identified_at}
        session[WIZARD_SESSION_KEY] = value

    @staticmethod
    def clear(session: SessionBase) -> None:
        session.pop(WIZARD_SESSION_KEY, None)

    def fits(self, habilitation: HabilitatedOrganisation) -> bool:
        """Still valid for the organisation the aidant works for, with démarches it still allows
        (the aidant may have switched organisation, the référent closed a démarche)."""
        return self.organisation_id == habilitation.pk and set(self.demarches) <= set(
            habilitation.allowed_demarches
        )

    def identified(self, usager_id: int, at: datetime) -> MandatWizardState:
        return replace(self, usager_id=usager_id, identified_at=at.timestamp())

    def without_identity(self) -> MandatWizardState:
        # Démarches and duration stay: step 1 shows them again, only the identity is asked anew.
        return replace(self, usager_id=None, identified_at=None)

    def identified_usager_id(self, now: datetime) -> int | None:
        """The usager FranceConnect identified at step 2, if recently enough."""
        if self.usager_id is None or self.identified_at is None:
            return None
        if now.timestamp() - self.identified_at > IDENTITY_MAX_AGE.total_seconds():
            return None
        return self.usager_id


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidWizardState("identifiant invalide")
    return value


def _optional_integer(value: object) -> int | None:
    return None if value is None else _integer(value)


def _optional_timestamp(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidWizardState("horodatage invalide")
    return float(value)


def _demarches(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidWizardState("démarches absentes")
    if not all(isinstance(code, str) and code in Demarche.values for code in value):
        raise InvalidWizardState("démarche inconnue")
    return tuple(value)


def _duration(value: object) -> MandatDuration:
    if not isinstance(value, str) or value not in MandatDuration.values:
        raise InvalidWizardState("durée inconnue")
    return MandatDuration(value)
