from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from core.api.guide import inline_code

register = template.Library()


@register.filter
def code_spans(text: str) -> SafeString:
    """The guide's `code` spans as <code>, everything else escaped."""
    return format_html_join(
        "", "{}", ((_code(piece) if is_code else piece,) for piece, is_code in inline_code(text))
    )


def _code(piece: str) -> SafeString:
    return format_html_join("", "<code>{}</code>", [(piece,)])
