import datetime

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandats.models import (
    Autorisation,
    Demarche,
    Gender,
    HabilitatedOrganisation,
    HabilitationRequest,
    Mandat,
    MandatDuration,
    Usager,
)
from tests.factories import StructureFactory, UserFactory


class HabilitatedOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HabilitatedOrganisation
        django_get_or_create = ["structure"]

    structure = factory.SubFactory(StructureFactory)


class UsagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Usager

    given_names = factory.Faker("first_name", locale="fr_FR")
    family_name = factory.Faker("last_name", locale="fr_FR")
    birthdate = datetime.date(1962, 8, 24)
    birthplace = "75112"
    birthcountry = "99100"
    gender = Gender.MALE
    sub_hash = factory.Sequence(lambda n: Usager.hash_sub(f"sub-de-test-{n}"))

    class Params:
        born_abroad = factory.Trait(birthplace="", birthcountry="99134")


class MandatFactory(factory.django.DjangoModelFactory):
    """An active mandate by default; `demarches` lists its autorisations."""

    class Meta:
        model = Mandat
        skip_postgeneration_save = True

    organisation = factory.SubFactory(StructureFactory)
    usager = factory.SubFactory(UsagerFactory)
    duration = MandatDuration.TWELVE_MONTHS
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + MandatDuration(o.duration).delta)
    legal_text_version = "2025-01"
    content_hash = "0" * 64

    class Params:
        expired = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400))
        )

    @factory.post_generation
    def demarches(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        codes = [Demarche.SOCIAL, Demarche.ARGENT] if extracted is None else extracted
        for code in codes:
            Autorisation.objects.create(mandat=self, demarche=code)


class HabilitationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HabilitationRequest

    organisation = factory.SubFactory(HabilitatedOrganisationFactory)
    email = factory.Sequence(lambda n: f"futur.aidant{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    profession = "Travailleur social"
    training_done = True
    training_date = datetime.date(2025, 3, 12)
    pix_passed = True
    submitted_by = factory.SubFactory(UserFactory)

    class Params:
        incomplete = factory.Trait(pix_passed=False)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Application d'authentification"
    confirmed = True
    tolerance = 1


def reload(instance):
    """A fresh copy from the database: refresh_from_db() cannot reset a protected FSM field."""
    return type(instance)._default_manager.get(pk=instance.pk)
