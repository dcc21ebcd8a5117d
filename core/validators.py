"""Identifiers of structures: SIRET everywhere, RIDET in New Caledonia."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

NEW_CALEDONIA = "988"
# The RIDET is the RID (6 or 7 digits) followed by the 3-digit establishment number; it has no
# public check digit, so only its shape can be checked.
_RIDET = re.compile(r"^\d{9,10}$")


def compact_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_structure_identifier(value: str, departement_code: str) -> None:
    number = compact_identifier(value)
    if departement_code == NEW_CALEDONIA and _RIDET.match(number):
        return
    try:
        siret.validate(number)
    except StdnumError as exc:
        if departement_code == NEW_CALEDONIA:
            message = "Saisissez un SIRET de 14 chiffres ou un RIDET de 9 ou 10 chiffres."
        else:
            message = (
                "Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé de contrôle "
                "doit être juste. Vérifiez-le sur l'avis de situation INSEE."
            )
        raise ValidationError(message, code="invalid_siret") from exc
