"""The operations of the coordination API, for the OpenAPI schema test of the conseillers API."""

COORDINATION_OPERATIONS = {
    ("/api/conseillers/coordinateurs/", "get"),
    ("/api/conseillers/coordinateurs/{id}/", "get"),
    ("/api/conseillers/coordinateurs/{id}/rattachements/", "post"),
    ("/api/conseillers/rattachements/{id}/", "get"),
    ("/api/conseillers/rattachements/{id}/detacher/", "post"),
}
