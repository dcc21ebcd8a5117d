"""Admin of the subsidy: ANCT edits a regime while no convention uses it (the database refuses it
afterwards); conventions, schedules, payments, recoveries and the journal are read only here, since
they change through the product's services, which log who did what.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conseillers.subsidy.models import (
    Convention,
    Payment,
    PaymentNoticeImport,
    Recovery,
    Regime,
    RegimeTranche,
    SubsidyTransition,
    Subvention,
    Tranche,
)


class RegimeTrancheInline(admin.TabularInline):
    model = RegimeTranche
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Regime | None = None) -> bool:
        return obj is None or not obj.in_use

    def has_change_permission(self, request: HttpRequest, obj: Regime | None = None) -> bool:
        return obj is None or not obj.in_use

    def has_delete_permission(self, request: HttpRequest, obj: Regime | None = None) -> bool:
        return obj is None or not obj.in_use


@admin.register(Regime)
class RegimeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "duration_months", "total_cents", "is_default"]
    inlines = [RegimeTrancheInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Regime | None = None) -> list[str]:
        if obj is not None and obj.in_use:
            return ["code", "duration_months", "total_cents", "vacancy_window_months"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Regime | None = None) -> bool:
        return obj is None or not obj.in_use


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Convention)
class ConventionAdmin(ReadOnlyAdmin):
    list_display = ["number", "structure", "regime", "signed_on", "posts"]
    search_fields = ["number", "structure__name", "structure__siret"]


@admin.register(Subvention)
class SubventionAdmin(ReadOnlyAdmin):
    list_display = ["post", "convention", "state", "total_cents", "earned_cents"]
    list_filter = ["state"]


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    list_display = ["label", "subvention", "due_on", "amount_cents", "state"]
    list_filter = ["state", "justification"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "tranche", "kind", "amount_cents", "paid_on"]
    search_fields = ["reference"]


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ["structure", "amount_cents", "state", "claim_reference"]
    list_filter = ["state"]


@admin.register(SubsidyTransition)
class SubsidyTransitionAdmin(ReadOnlyAdmin):
    list_display = ["at", "transition", "from_state", "to_state", "by", "system"]
    list_filter = ["transition"]


@admin.register(PaymentNoticeImport)
class PaymentNoticeImportAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "source", "file_name", "applied", "lines_count", "recorded_count"]
    list_filter = ["applied", "source"]
