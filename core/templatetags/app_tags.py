from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """Reads a dict by a variable key in a template."""
    return mapping.get(key, "")
