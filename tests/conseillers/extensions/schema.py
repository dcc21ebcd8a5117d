"""The operations of the contract extensions' API, for the schema test of the conseillers API."""

EXTENSION_OPERATIONS = {
    ("/api/conseillers/prolongations/", "get"),
    ("/api/conseillers/prolongations/", "post"),
    ("/api/conseillers/prolongations/{id}/", "get"),
    ("/api/conseillers/prolongations/{id}/validate/", "post"),
    ("/api/conseillers/prolongations/{id}/refuse/", "post"),
    ("/api/conseillers/prolongations/{id}/cancel/", "post"),
}
# Actions that take no body: the request's state is the whole decision.
BODYLESS = {
    "/api/conseillers/prolongations/{id}/validate/",
    "/api/conseillers/prolongations/{id}/cancel/",
}
