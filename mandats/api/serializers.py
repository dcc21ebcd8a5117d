"""What the Aidants Connect API answers: the référent's team."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Membership
from mandats.abilities import team_member_abilities


class TeamAbilitiesSerializer(serializers.Serializer):
    deactivate = serializers.BooleanField(help_text="Désactiver le compte.")
    reactivate = serializers.BooleanField(help_text="Réactiver le compte.")
    remove = serializers.BooleanField(help_text="Retirer de l'organisation (le compte reste).")
    associate_card = serializers.BooleanField(help_text="Associer une carte TOTP.")


class TeamMemberSerializer(serializers.Serializer):
    """One aidant of the organisation, as the team page shows them."""

    id = serializers.IntegerField(source="user_id", help_text="Identifiant du compte de l'aidant.")
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    is_active = serializers.BooleanField(
        source="user.is_active", help_text="Faux : compte désactivé."
    )
    has_totp = serializers.BooleanField(help_text="Second facteur activé.")
    works_elsewhere = serializers.BooleanField(
        help_text="Travaille aussi pour une autre structure."
    )
    last_activity = serializers.DateTimeField(
        allow_null=True,
        help_text="Dernière connexion ou dernière entrée du journal dans l'organisation.",
    )
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire à cet aidant."
    )

    @extend_schema_field(TeamAbilitiesSerializer)
    def get_abilities(self, membership: Membership) -> dict[str, Any]:
        return team_member_abilities(
            self.context["request"].user,
            organisation_id=membership.structure_id,
            aidant_id=membership.user_id,
            is_active=membership.user.is_active,
            works_elsewhere=bool(getattr(membership, "works_elsewhere", False)),
        )
