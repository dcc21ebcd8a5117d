"""Counts written as people write them: "1 candidature", "3 postes", never "3 poste(s)"."""


def count_fr(count: int, singular: str, plural: str | None = None) -> str:
    """In French, 0 and 1 take the singular. `plural` is needed when adding an "s" to the end is
    not the plural ("mise en relation" → "mises en relation", "accordé" stays after "postes")."""
    word = singular if abs(count) < 2 else (plural if plural is not None else singular + "s")
    return f"{count} {word}"
