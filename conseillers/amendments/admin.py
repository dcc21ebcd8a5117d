"""Admin of the amendment requests: read only, since they change through the services only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conseillers.amendments.models import AmendmentOpinion, AmendmentRequest, AmendmentTransition


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OpinionInline(ReadOnlyInline):
    model = AmendmentOpinion


class TransitionInline(ReadOnlyInline):
    model = AmendmentTransition


@admin.register(AmendmentRequest)
class AmendmentRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "structure", "kind", "posts", "posts_before", "state", "created_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["structure"]
    search_fields = ["structure__name", "structure__siret"]
    inlines = [OpinionInline, TransitionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
