"""The subsidy's rights that no row of its own carries: the programme-wide ones.

`Tranche`, `Subvention`, `Recovery` and `Convention` answer `get_abilities(user)` for their rows;
regimes, conventions to sign, payment orders, payments, recoveries and the budget are decided here,
keyed the same way, for the pages, the API and the services alike.
"""

from __future__ import annotations

from core.models import Role, User


class SubsidyProgramme:
    """ANCT runs the money of the whole programme; a préfecture follows its territory's."""

    refusal = "Seule l'ANCT peut effectuer cette action."

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        anct = scope.is_anct
        territory = anct or bool(scope.departement_codes)
        return {
            "regimes_view": anct,
            "regime_create": anct,
            "regime_set_default": anct,
            "conventions_view": anct,
            "convention_sign": anct,
            "approvals_view": anct,
            "payment_orders_view": anct,
            "payment_orders_pay": anct,
            "payment_record": anct,
            "payment_correct": anct,
            "recoveries_view": anct,
            # Renewals: ANCT decides, a préfecture follows its territory, a manager answers.
            "renewals_view": territory or bool(scope.structure_ids(Role.GESTIONNAIRE)),
            # ANCT and the préfectures read the budget and pick any structure of their scope.
            "budget_view": territory,
            "structures_pick": territory,
        }


SUBSIDY_PROGRAMME = SubsidyProgramme()
