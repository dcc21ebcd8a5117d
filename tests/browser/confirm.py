"""Confirming a consequential action in its DSFR modal (core/_confirm_action.html)."""

from playwright.sync_api import Locator, Page, expect


def open_confirmation(page: Page, label: str) -> Locator:
    """Clicks the action's button and returns its modal, once open."""
    page.locator("main").get_by_role("button", name=label, exact=True).click()
    modal = page.get_by_role("dialog", name=f"{label} ?")
    expect(modal).to_be_visible()
    return modal


def confirm(page: Page, label: str, **fields: str) -> None:
    """Opens the action's modal, fills its fields (label → value), confirms."""
    modal = open_confirmation(page, label)
    for field_label, value in fields.items():
        modal.get_by_label(field_label).fill(value)
    modal.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()
