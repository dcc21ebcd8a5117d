"""The API's JSON parser: a body with a NUL character anywhere is refused before any serializer
sees it, since PostgreSQL text cannot hold U+0000 (the write would fail as a server error)."""

from typing import Any

from rest_framework import exceptions, parsers

NUL_REFUSED = "Le texte ne peut pas contenir de caractère nul (U+0000)."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        path = _nul_path(data)
        if path is not None:
            raise exceptions.ValidationError({path or "non_field_errors": [NUL_REFUSED]})
        return data


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (value or key) holding a NUL, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where.replace("\x00", "")
            found = _nul_path(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
