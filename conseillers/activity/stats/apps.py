from django.apps import AppConfig


class ActivityStatsConfig(AppConfig):
    name = "conseillers.activity.stats"
    label = "activity_stats"
    verbose_name = "Statistiques d'activité des conseillers numériques"
