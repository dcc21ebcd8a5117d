from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.models import Departement, Membership, PrefectureAgent, Region, Structure, User


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


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "type", "departement", "zrr", "qpv", "france_services"]
    list_filter = ["type", "zrr", "qpv", "france_services", "departement__region"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["departement"]
    inlines = [MembershipInline]


@admin.register(PrefectureAgent)
class PrefectureAgentAdmin(admin.ModelAdmin):
    list_display = ["user", "departement", "region"]
    autocomplete_fields = ["user", "departement", "region"]
