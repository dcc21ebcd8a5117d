"""What the Aidants Connect API answers: the référent's team."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import strict
from core.models import Membership
from mandats.abilities import team_member_abilities
from mandats.models import CarteTOTPStatus, OrganisationRequestStatus


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


class CarteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial_number = serializers.CharField(help_text="Numéro de série imprimé sur la carte.")
    status = serializers.ChoiceField(choices=CarteTOTPStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    aidant = serializers.IntegerField(source="aidant_id", allow_null=True)
    created_at = serializers.DateTimeField(help_text="Chargée dans le stock le.")
    associated_at = serializers.DateTimeField(allow_null=True)
    lost_at = serializers.DateTimeField(allow_null=True)
    association_locked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Association bloquée après trop de codes erronés, jusqu'au déblocage par "
        "l'ANCT (null : non bloquée).",
    )


class CarteLoadSerializer(strict.Serializer):
    csv = serializers.CharField(
        trim_whitespace=False,
        max_length=2 * 1024 * 1024,
        help_text="Le contenu du fichier : une première ligne « numero_serie;graine », puis "
        "une carte par ligne (graine en base32). Tout ou rien : chaque erreur est donnée avec "
        "sa ligne.",
    )


class CarteLoadedSerializer(serializers.Serializer):
    loaded = serializers.IntegerField(help_text="Nombre de cartes ajoutées au stock.")


class CarteAssociationSerializer(strict.Serializer):
    serial_number = serializers.CharField(max_length=64)
    code = serializers.CharField(
        min_length=6, max_length=8, help_text="Le code que la carte affiche maintenant."
    )


class OrganisationRequestMessageSerializer(serializers.Serializer):
    author_kind = serializers.CharField(help_text="anct ou demandeur.")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrganisationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    siret = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    departement = serializers.CharField(source="departement_id")
    address = serializers.CharField()
    referent_first_name = serializers.CharField()
    referent_last_name = serializers.CharField()
    referent_email = serializers.EmailField()
    aidants = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    demarches = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=OrganisationRequestStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    email_confirmed_at = serializers.DateTimeField(allow_null=True)
    structure = serializers.IntegerField(source="structure_id", allow_null=True)
    created_at = serializers.DateTimeField()
    messages = OrganisationRequestMessageSerializer(many=True, read_only=True)


class RequestMessageSerializer(strict.Serializer):
    message = serializers.CharField(max_length=5000, help_text="Transmis au demandeur.")
