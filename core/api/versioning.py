"""The API's version travels in the media type (`Accept: application/json; version=1`), not in
the URL: the addresses integrators already use keep working, and a client that names no version
gets version 1. A version never changes incompatibly (see the guide's rule); an unknown version
is refused rather than answered with another one's shapes."""

from rest_framework import exceptions, versioning


class AcceptHeaderVersioning(versioning.AcceptHeaderVersioning):
    def determine_version(self, request, *args, **kwargs):
        try:
            return super().determine_version(request, *args, **kwargs)
        except exceptions.NotAcceptable as refused:
            allowed = ", ".join(self.allowed_versions or ())
            raise exceptions.NotAcceptable(
                f"Version de l'API inconnue (en-tête Accept). Versions possibles : {allowed}.",
                code="unsupported_version",
            ) from refused
