"""The operations of the amendment requests' API, for the schema test of the conseillers API."""

AMENDMENT_OPERATIONS = {
    ("/api/conseillers/avenants/", "get"),
    ("/api/conseillers/avenants/", "post"),
    ("/api/conseillers/avenants/{id}/", "get"),
    ("/api/conseillers/avenants/{id}/opinion/", "post"),
    ("/api/conseillers/avenants/{id}/accept/", "post"),
    ("/api/conseillers/avenants/{id}/refuse/", "post"),
    ("/api/conseillers/avenants/{id}/cancel/", "post"),
}
