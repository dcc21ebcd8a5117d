"""Confirmation of consequential actions: one mechanism for every page.

An action that cannot be undone (a refusal, a rupture, an end of contract…) is declared once as a
`Confirmation`: the words of its button and the sentence that states its consequence. Pages show
it with `core/_confirm_action.html`: a button opening a DSFR modal that holds the real POST form
(the motive inside it when one is required) and, for browsers without JavaScript, a link to the
same action's URL answered in GET by `render_confirmation`: a page with the same consequence and
form. A POST the service refuses comes back to that page with the error next to its field and what
was typed kept, instead of a side panel of a long page scrolled back to its top.

The POST views stay the ones that run the action: confirming never changes who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Confirmation:
    """What a person reads before an action that cannot be undone."""

    label: str  # the button, a verb: "Refuser la candidature"
    consequence: str  # one sentence: what will happen, and that it cannot be undone
    primary: bool = False  # the expected next step of the page, shown as a primary button


@dataclass(frozen=True)
class ConfirmableAction:
    """One action offered on a page: its confirmation, where it posts, its (unbound) form."""

    slug: str
    confirmation: Confirmation
    url: str
    form: forms.BaseForm
    # Values the page posts besides the form (name, value): what the person saw and confirms.
    hidden: tuple[tuple[str, str], ...] = ()

    @property
    def modal_id(self) -> str:
        return f"confirmer-{self.slug}"


def modal_form(form_class: type[forms.BaseForm], slug: str, **kwargs) -> forms.BaseForm:
    """A form for a modal: several modals of one page share a form class and its field names
    (what the POST view reads), so each one gets ids of its own (labels and anchors stay unique)."""
    return form_class(auto_id=f"id_{slug}_%s", **kwargs)


def render_confirmation(
    request: HttpRequest,
    *,
    confirmation: Confirmation,
    form: forms.BaseForm,
    subject: str,
    back_url: str,
    status: int = 200,
    hidden: tuple[tuple[str, str], ...] = (),
) -> HttpResponse:
    """The confirmation page: the same consequence and form as the modal, posted to this URL.
    After a refused POST, the browser focuses the first field in error (no script needed)."""
    in_error = [name for name in form.errors if name in form.fields]
    if in_error:
        form.fields[in_error[0]].widget.attrs["autofocus"] = True
    return render(
        request,
        "core/confirm_action.html",
        {
            "title": f"{'Erreur : ' if form.errors else ''}{confirmation.label} : {subject}",
            "confirmation": confirmation,
            "form": form,
            "subject": subject,
            "back_url": back_url,
            "hidden": hidden,
        },
        status=status,
    )
