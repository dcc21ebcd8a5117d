"""Admin of the conseillers module. Ledgers (envelopes, decisions, opinions, transitions) are read
only here: they change through the product's pages, which write a new row with its author."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureTransition,
    Decision,
    Envelope,
    Match,
    MatchTransition,
    PrefectureOpinion,
    SmicRate,
    Training,
)


@admin.register(SmicRate)
class SmicRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "hourly_gross"]
    ordering = ["-valid_from"]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = [
        "candidat",
        "initial_hours",
        "started_on",
        "ended_on",
        "ccp1_status",
        "pix_status",
        "cost",
    ]
    list_filter = ["ccp1_status", "pix_status"]
    search_fields = ["candidat__last_name", "candidat__email"]
    autocomplete_fields = ["candidat"]


@admin.register(Candidat)
class CandidatAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "situation", "available_from", "pix_level"]
    search_fields = ["last_name", "first_name", "email"]
    list_filter = ["situation", "pix_level"]
    filter_horizontal = ["departements"]
    # The CV is uploaded by the candidate (checked as a PDF there) and read through the protected
    # view: the admin neither replaces it nor links to a storage URL.
    exclude = ["cv"]
    readonly_fields = ["cv_link"]

    @admin.display(description="CV")
    def cv_link(self, obj: Candidat) -> str:
        if not obj.cv:
            return "Aucun CV"
        url = reverse("conseillers:candidat-cv", args=[obj.pk])
        return format_html('<a href="{}">Télécharger le CV (PDF)</a>', url)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "at",
        "transition",
        "from_state",
        "to_state",
        "by",
        "system",
        "reason",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CandidatureTransitionInline(TransitionInline):
    model = CandidatureTransition


class MatchTransitionInline(TransitionInline):
    model = MatchTransition


@admin.register(Candidature)
class CandidatureAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "structure",
        "siret",
        "state",
        "posts_wished",
        "duplicate_of",
        "created_at",
    ]
    list_filter = ["state", "zrr", "qpv", "france_services"]
    search_fields = ["siret", "structure__name"]
    inlines = [CandidatureTransitionInline]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["candidat", "structure", "state", "state_changed_at"]
    list_filter = ["state"]
    search_fields = ["candidat__last_name", "structure__name"]
    inlines = [MatchTransitionInline]


for model in (Envelope, Decision, PrefectureOpinion):
    admin.site.register(model, ReadOnlyAdmin)
