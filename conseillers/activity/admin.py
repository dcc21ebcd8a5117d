"""Admin of the activity reports: ANCT edits the theme list (data); the records themselves are read
only here, since they change through the conseiller's pages, the CSV import and the API.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conseillers.activity.models import Activity, ActivityReminder, ReminderExemption, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "group", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["group", "active"]

    def has_delete_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        # Retire a theme with `active`: the records made under it keep it.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "structure", "departement", "duration_minutes", "participants"]
    list_filter = ["kind", "place_kind"]
    list_select_related = ["structure", "departement"]
    raw_id_fields = ["match", "structure", "created_by"]
    date_hierarchy = "date"


@admin.register(ReminderExemption)
class ReminderExemptionAdmin(ReadOnlyAdmin):
    list_display = ["match", "start", "end", "motive"]


@admin.register(ActivityReminder)
class ActivityReminderAdmin(ReadOnlyAdmin):
    list_display = ["match", "recipient", "silent_since", "sent_at"]
