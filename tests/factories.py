import factory
from stdnum import luhn

from core.models import (
    Commune,
    Membership,
    PrefectureAgent,
    Structure,
    StructureType,
    User,
    search_key,
)


def valid_siret(n: int) -> str:
    """A SIRET whose SIREN and whole number both pass the Luhn check, distinct for each n."""
    siren8 = f"{40000000 + n:08d}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-de-test")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    siret = factory.Sequence(valid_siret)
    name = factory.Sequence(lambda n: f"Structure {n}")
    type = StructureType.COMMUNE
    departement_id = "37"

    class Params:
        privee = factory.Trait(type=StructureType.PRIVEE)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = "gestionnaire"


class PrefectureAgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrefectureAgent

    user = factory.SubFactory(UserFactory)
    departement_id = "37"
    region = None


class CommuneFactory(factory.django.DjangoModelFactory):
    """A commune of the referential; the real ones come from core.communes.load_communes."""

    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = "37261"
    name = "Tours"
    search_name = factory.LazyAttribute(lambda o: search_key(o.name))
    departement_id = "37"
    postal_codes = "37000 37100 37200"
    population = 137087
    latitude = 47.39
    longitude = 0.69
