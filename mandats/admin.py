from django.contrib import admin
from django.http import HttpRequest

from mandats.models import (
    AidantProfile,
    Autorisation,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationTransition,
    JournalEntry,
    Mandat,
)


@admin.register(HabilitatedOrganisation)
class HabilitatedOrganisationAdmin(admin.ModelAdmin):
    list_display = ["structure", "habilitated_at"]
    search_fields = ["structure__name", "structure__siret"]
    autocomplete_fields = ["structure"]


@admin.register(AidantProfile)
class AidantProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "current_organisation", "updated_at"]
    raw_id_fields = ["user", "current_organisation"]


class HabilitationTransitionInline(admin.TabularInline):
    model = HabilitationTransition
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_state", "to_state", "by", "at", "reason"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(HabilitationRequest)
class HabilitationRequestAdmin(admin.ModelAdmin):
    """Decisions go through the ANCT page (services), so the status is read-only here."""

    list_display = ["email", "first_name", "last_name", "organisation", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["email", "last_name"]
    readonly_fields = ["status", "aidant", "submitted_by", "decided_at"]
    inlines = [HabilitationTransitionInline]


class AutorisationInline(admin.TabularInline):
    model = Autorisation
    extra = 0
    can_delete = False
    readonly_fields = ["demarche", "revoked_at", "revoked_by"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    """Read-only: a mandate changes only through the services, which journal every change."""

    list_display = ["pk", "organisation", "created_at", "expires_at", "duration"]
    list_filter = ["duration"]
    inlines = [AutorisationInline]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = [
        "chain",
        "sequence",
        "created_at",
        "action",
        "actor",
        "organisation",
        "mandat_id",
    ]
    list_filter = ["action"]
    search_fields = ["usager_ref", "entry_hash"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
