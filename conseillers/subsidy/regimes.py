"""The two regimes shipped with the product, as data (loaded by a migration, never changed after).

Where the public sources are silent (the split and triggers of France Relance, the months of the
2023 tranches), these are assumptions, kept as data that ANCT replaces with a new regime when it
knows better: France Relance pays 40 % when the recruitment is validated, 40 % at month 12 on an
activity justification and 20 % at month 24 on the final justification; the 2023 renewal pays one
tranche a year (months 0, 12 and 24 of its 36), the later two on an activity justification, with
the QPV/ZRR bonus of public structures on the first two.
"""

from __future__ import annotations

from typing import Any

RECRUITMENT = "recrutement_valide"
JUSTIFICATION = "justificatif_accepte"

FRANCE_RELANCE = {
    "code": "france-relance-2021",
    "name": "France Relance",
    "description": "50 000 € par poste sur 24 mois, en trois tranches de 40 %, 40 % et 20 %.",
    "duration_months": 24,
    "total_cents": 5_000_000,
    "vacancy_window_months": 6,
    "is_default": True,
    "lines": [
        ("toutes", 1, "Tranche 1 : recrutement validé", 4000, None, 0, RECRUITMENT, 0, "aucun"),
        ("toutes", 2, "Tranche 2 : première année", 4000, None, 0, JUSTIFICATION, 12, "activite"),
        ("toutes", 3, "Tranche 3 : solde", 2000, None, 0, JUSTIFICATION, 24, "final"),
    ],
}

RENEWAL_2023 = {
    "code": "reconventionnement-2023",
    "name": "Reconventionnement 2023",
    "description": "36 mois. Structures publiques : 17 500 €, 12 500 € et 12 500 €, plus une "
    "bonification QPV/ZRR de 2 500 € la première année et 5 000 € la deuxième (50 000 € au "
    "total) ; structures privées : 20 000 €, 14 000 € et 10 000 €.",
    "duration_months": 36,
    "total_cents": None,
    "vacancy_window_months": 6,
    "is_default": False,
    "lines": [
        ("publique", 1, "Tranche 1 : recrutement validé", None, 1_750_000, 250_000,
         RECRUITMENT, 0, "aucun"),
        ("publique", 2, "Tranche 2 : deuxième année", None, 1_250_000, 500_000,
         JUSTIFICATION, 12, "activite"),
        ("publique", 3, "Tranche 3 : troisième année", None, 1_250_000, 0,
         JUSTIFICATION, 24, "activite"),
        ("privee", 1, "Tranche 1 : recrutement validé", None, 2_000_000, 0,
         RECRUITMENT, 0, "aucun"),
        ("privee", 2, "Tranche 2 : deuxième année", None, 1_400_000, 0,
         JUSTIFICATION, 12, "activite"),
        ("privee", 3, "Tranche 3 : troisième année", None, 1_000_000, 0,
         JUSTIFICATION, 24, "activite"),
    ],
}  # fmt: skip

REGIMES: list[dict[str, Any]] = [FRANCE_RELANCE, RENEWAL_2023]
LINE_FIELDS = (
    "audience",
    "rank",
    "label",
    "share_bp",
    "amount_cents",
    "bonus_cents",
    "trigger",
    "month",
    "justification",
)


def ensure_regimes(regime_model: Any, line_model: Any) -> None:
    """Adds the shipped regimes that are missing; never touches one that exists (it may be in
    use). Idempotent: the migration and the transactional tests' reference data both call it."""
    for data in REGIMES:
        fields = {k: v for k, v in data.items() if k not in ("code", "lines", "is_default")}
        if regime_model.objects.filter(code=data["code"]).exists():
            continue
        # Only one default: the shipped one gives way when ANCT has chosen another.
        default = data["is_default"] and not regime_model.objects.filter(is_default=True).exists()
        regime = regime_model.objects.create(code=data["code"], is_default=default, **fields)
        line_model.objects.bulk_create(
            line_model(regime=regime, **dict(zip(LINE_FIELDS, line, strict=True)))
            for line in data["lines"]
        )
