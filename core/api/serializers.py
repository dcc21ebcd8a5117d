from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Departement, Region, Structure, User
from core.validators import compact_identifier, validate_structure_identifier


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class DepartementSerializer(serializers.ModelSerializer):
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


class StructureSerializer(serializers.ModelSerializer):
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire."
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
            "contact_email",
            "contact_phone",
            "zrr",
            "qpv",
            "france_services",
            "created_at",
            "abilities",
        ]
        read_only_fields = ["id", "created_at", "abilities"]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "boolean"}})
    def get_abilities(self, obj: Structure) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)

    def validate(self, attrs: dict) -> dict:
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


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "roles"]


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label="Adresse électronique")
    password = serializers.CharField(
        label="Mot de passe",
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            self.context["request"], username=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                "Adresse électronique ou mot de passe incorrect.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
