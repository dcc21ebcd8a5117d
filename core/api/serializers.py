from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from core import login_policy
from core.api import strict
from core.models import Commune, Departement, Region, Structure, User
from core.second_factor import second_factor_check
from core.services import (
    ACCOUNT_ROLES,
    identity_changes,
    identity_refusal_message,
    structure_change_identity,
    structure_update_contact,
)
from core.validators import compact_identifier, validate_structure_identifier


class RegionSerializer(strict.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class CommuneSerializer(strict.ModelSerializer):
    display_name = serializers.CharField(
        source="label", read_only=True, help_text="Nom et premier code postal, à afficher."
    )
    postal_codes = serializers.SerializerMethodField(help_text="Codes postaux de la commune.")

    class Meta:
        model = Commune
        fields = [
            "code",
            "name",
            "display_name",
            "departement",
            "postal_codes",
            "population",
            "latitude",
            "longitude",
        ]
        read_only_fields = fields

    def get_postal_codes(self, commune: Commune) -> list[str]:
        return commune.postal_codes.split()


class DepartementSerializer(strict.ModelSerializer):
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Departement
        fields = [
            "code",
            "name",
            "region",
            "zone",
            "chef_lieu_insee",
            "population",
            "communes_count",
        ]


class StructureSerializer(strict.ModelSerializer):
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire."
    )
    motif = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Obligatoire pour changer l'identité de la structure (ANCT seulement).",
    )

    class Meta:
        model = Structure
        fields = [
            "id",
            "siret",
            "name",
            "type",
            "departement",
            "address",
            "commune",
            "contact_email",
            "contact_phone",
            "zrr",
            "qpv",
            "france_services",
            "created_at",
            "abilities",
            "motif",
        ]
        read_only_fields = ["id", "created_at", "abilities"]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "boolean"}})
    def get_abilities(self, obj: Structure) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)

    def validate(self, attrs: dict) -> dict:
        self._refuse_identity_changes_without_right(attrs)
        siret = compact_identifier(attrs.get("siret", getattr(self.instance, "siret", "")))
        departement = attrs.get("departement") or getattr(self.instance, "departement", None)
        if departement is not None:
            try:
                validate_structure_identifier(siret, departement.code)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"siret": list(exc.messages)}) from exc
        if "siret" in attrs:
            attrs["siret"] = siret
        return attrs

    def _refuse_identity_changes_without_right(self, attrs: dict) -> None:
        """Named refusal rather than a silent ignore: the caller learns which fields only ANCT
        may change."""
        if self.instance is None:
            return
        values = (
            {**attrs, "siret": compact_identifier(attrs["siret"])} if "siret" in attrs else attrs
        )
        changed = sorted(identity_changes(self.instance, values))
        user = self.context["request"].user
        if changed and not self.instance.get_abilities(user)["change_identity"]:
            message = identity_refusal_message(changed)
            raise serializers.ValidationError({field: [message] for field in changed})
        if changed and not str(attrs.get("motif", "")).strip():
            raise serializers.ValidationError(
                {"motif": ["Indiquez le motif du changement d'identité."]}
            )

    def update(self, instance: Structure, validated_data: dict) -> Structure:
        reason = validated_data.pop("motif", "")
        changes = identity_changes(instance, validated_data)
        contact = {f: v for f, v in validated_data.items() if f in Structure.CONTACT_FIELDS}
        user = self.context["request"].user
        with transaction.atomic():
            if changes:
                structure_change_identity(structure=instance, by=user, reason=reason, **changes)
            if contact:
                structure_update_contact(structure=instance, by=user, **contact)
        return instance


class MeSerializer(strict.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "roles"]


INVALID_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."


class TokenRequestSerializer(strict.Serializer):
    email = serializers.EmailField(label="Adresse électronique")
    password = serializers.CharField(
        label="Mot de passe",
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    nom = serializers.CharField(
        label="Nom du jeton",
        required=False,
        max_length=100,
        default="Jeton d'API",
        help_text="L'appareil ou le logiciel qui s'en sert : un nouveau jeton du même nom "
        "remplace l'ancien.",
    )
    totp = serializers.CharField(
        label="Code à usage unique",
        required=False,
        allow_blank=True,
        max_length=10,
        write_only=True,
        help_text="Obligatoire pour les aidants et référents : le code de leur application "
        "d'authentification.",
    )

    def validate(self, attrs: dict) -> dict:
        """The login policy of every door, then the second factor of aidants and référents."""
        request = self.context["request"]._request
        email = login_policy.normalized_email(attrs["email"])
        try:
            user = login_policy.authenticate_or_refuse(request, email, attrs["password"])
        except login_policy.LoginLocked as locked:
            raise exceptions.Throttled(
                wait=locked.lock.retry_after(), detail=locked.lock.message
            ) from locked
        if user is None:
            raise serializers.ValidationError(INVALID_CREDENTIALS, code="authorization")
        try:
            second_factor_check(user, attrs.get("totp", ""))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"totp": list(exc.messages)}) from exc
        attrs["user"] = user
        return attrs


class TokenSerializer(strict.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="À envoyer dans l'en-tête `Authorization: Token <jeton>`."
    )
    nom = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text="Fin de validité du jeton.")


class StructureCreateSerializer(strict.ModelSerializer):
    # The service says "déjà enregistrée" with a link to the existing structure; the model's
    # unique check would only say that the value is taken.
    siret = serializers.CharField(
        label="SIRET (ou RIDET)",
        max_length=17,
        help_text="14 chiffres (espaces permis) ; en Nouvelle-Calédonie, le RIDET.",
    )

    class Meta:
        model = Structure
        fields = [
            "siret",
            "name",
            "type",
            "departement",
            "address",
            "contact_email",
            "contact_phone",
            "zrr",
            "qpv",
            "france_services",
        ]


class AccountSerializer(strict.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Rôles (codes) de la personne."
    )

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "roles"]
        read_only_fields = fields


class AccountCreateSerializer(strict.Serializer):
    # User.email's column: a longer address is refused in French, not by the database.
    email = serializers.EmailField(label="Adresse électronique", max_length=254)
    first_name = serializers.CharField(label="Prénom", max_length=150)
    last_name = serializers.CharField(label="Nom", max_length=150)
    role = serializers.ChoiceField(
        choices=[(role.value, role.label) for role in ACCOUNT_ROLES],
        help_text="anct : agent national ; prefecture : avec `departement` ou `region` ; "
        "gestionnaire : avec `structure`. Les aidants viennent d'une habilitation Aidants "
        "Connect, les conseillers de leur inscription.",
    )
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(), required=False, default=None, allow_null=True
    )
    departement = serializers.PrimaryKeyRelatedField(
        queryset=Departement.objects.all(), required=False, default=None, allow_null=True
    )
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, default=None, allow_null=True
    )


class InvitationSerializer(strict.Serializer):
    """What the inviter learns: the address they typed, now manager of their structure. Never
    the account's other roles or stored name: an invitation must not tell a manager who else
    an address belongs to (an ANCT agent, a préfecture)."""

    email = serializers.EmailField(read_only=True)
    structure = serializers.IntegerField(read_only=True)
    role = serializers.CharField(read_only=True, help_text="Toujours « gestionnaire ».")


class InviteSerializer(strict.Serializer):
    # User.email's column: a longer address is refused in French, not by the database.
    email = serializers.EmailField(label="Adresse électronique", max_length=254)
    first_name = serializers.CharField(label="Prénom", max_length=150)
    last_name = serializers.CharField(label="Nom", max_length=150)
