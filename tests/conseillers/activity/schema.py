"""The operations of the activity reports' API, for the schema test of the conseillers API."""

ACTIVITY_OPERATIONS = {
    ("/api/conseillers/activites/", "get"),
    ("/api/conseillers/activites/", "post"),
    ("/api/conseillers/activites/lot/", "post"),
    ("/api/conseillers/activites/themes/", "get"),
    ("/api/conseillers/activites/{id}/", "get"),
    ("/api/conseillers/activites/{id}/", "put"),
    ("/api/conseillers/activites/{id}/", "delete"),
}
