from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import Departement


class Situation(models.TextChoices):
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d'emploi"
    EN_EMPLOI = "en_emploi", "En emploi"
    EN_FORMATION = "en_formation", "En formation"
    AUTRE = "autre", "Autre situation"


class Candidat(models.Model):
    """A person who registered to become a conseiller numérique (and who is one once recruited)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidat",
        verbose_name="compte",
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse électronique", unique=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    situation = models.CharField("situation", max_length=20, choices=Situation.choices)
    available_from = models.DateField("disponible à partir du")
    departements = models.ManyToManyField(
        Departement, related_name="candidats", verbose_name="départements où travailler"
    )
    pix_level = models.PositiveSmallIntegerField(
        "niveau PIX",
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="De 1 à 3.",
    )
    cv = models.FileField("CV", upload_to="cv/", blank=True)
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)

    class Meta:
        verbose_name = "candidat"
        constraints = [
            models.CheckConstraint(
                name="candidat_pix_level_1_to_3", condition=models.Q(pix_level__range=(1, 3))
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
