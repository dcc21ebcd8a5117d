from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from core.models import (
    ApiToken,
    Commune,
    Departement,
    Membership,
    OutboxMessage,
    PrefectureAgent,
    Region,
    Structure,
    StructureIdentityChange,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_anct", "is_staff", "is_active"]
    list_filter = ["is_anct", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        (
            "Rôles et droits",
            {
                "fields": [
                    "is_active",
                    "is_anct",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "zone", "population"]
    list_filter = ["zone", "region"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "departement", "postal_codes", "population")
    search_fields = ("code", "name", "postal_codes")
    list_filter = ("departement__zone",)
    readonly_fields = ("search_name",)


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "type", "departement", "zrr", "qpv", "france_services"]
    list_filter = ["type", "zrr", "qpv", "france_services", "departement__region"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["departement"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Structure | None = None) -> list[str]:
        # Once created, a structure's identity changes only through structure_change_identity
        # (the API or the structure's page), which asks for a reason and logs the change.
        return list(Structure.IDENTITY_FIELDS) if obj is not None else []


@admin.register(StructureIdentityChange)
class StructureIdentityChangeAdmin(admin.ModelAdmin):
    list_display = ["structure", "at", "by", "reason"]
    list_select_related = ["structure", "by"]
    search_fields = ["structure__name", "structure__siret"]
    readonly_fields = ["structure", "at", "by", "reason", "changes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """ANCT sees every API token (never its value, which is not stored) and revokes one by
    deleting it."""

    list_display = ["name", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    fields = readonly_fields = ("name", "user", "created", "expiry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PrefectureAgent)
class PrefectureAgentAdmin(admin.ModelAdmin):
    list_display = ["user", "departement", "region"]
    autocomplete_fields = ["user", "departement", "region"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: what waits, what failed and why. The sweep and the workers own these rows."""

    list_display = [
        "pk",
        "task_name",
        "created_at",
        "next_attempt_at",
        "published_at",
        "delivered_at",
        "attempts",
    ]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter), "task_name"]
    search_fields = ["task_name", "last_error"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False
