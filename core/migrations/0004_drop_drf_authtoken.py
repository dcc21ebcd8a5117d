"""API tokens moved from rest_framework.authtoken (stored in clear, never expiring) to
core.ApiToken (knox digests, expiring): the old table and its migration records go, so no
clear-text token survives in a database or a backup made after this migration."""

from django.db import migrations

FORWARD = [
    "DROP TABLE IF EXISTS authtoken_token",
    "DELETE FROM django_migrations WHERE app = 'authtoken'",
]


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_tokens_identity_log")]

    operations = [
        migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop, elidable=False)
        for sql in FORWARD
    ]
