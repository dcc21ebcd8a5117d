"""The operations of the activity figures' API (statistics, open data), for the schema test."""

PREFIX = "/api/conseillers/activites"

FIGURES_OPERATIONS = {
    (f"{PREFIX}/statistiques/", "get"),
    (f"{PREFIX}/donnees-ouvertes/activite.json", "get"),
    (f"{PREFIX}/donnees-ouvertes/activite.csv", "get"),
    (f"{PREFIX}/donnees-ouvertes/schema.json", "get"),
}
