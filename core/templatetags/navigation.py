"""The DSFR breadcrumb of every page, from the site's map (`core.navigation`) and the page shown."""

from django import template

from core.navigation import breadcrumb_for

register = template.Library()


@register.inclusion_tag("core/_breadcrumb.html", takes_context=True)
def breadcrumb(context: template.Context) -> dict:
    """A view names its object with `breadcrumb_label` (or its `title`), the map does the rest;
    error pages, rendered without a resolved URL, have none."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None:
        return {"trail": []}
    label = context.get("breadcrumb_label") or context.get("title")
    return {"trail": breadcrumb_for(request.user, match.view_name, match.kwargs, label)}
