"""Admin of the extensions: read only, since they change through their services (pages, API)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conseillers.extensions.models import ContractExtension, ExtensionTransition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ContractExtension)
class ContractExtensionAdmin(ReadOnlyAdmin):
    list_display = ["contract", "previous_end_date", "requested_end_date", "state", "requested_at"]
    list_filter = ["state"]


@admin.register(ExtensionTransition)
class ExtensionTransitionAdmin(ReadOnlyAdmin):
    list_display = ["extension", "transition", "from_state", "to_state", "by", "at"]
