-- The two-role set-up of the Aidants Connect journal on PostgreSQL.
--
-- Migrations run as the OWNER of the tables (the role of `manage.py migrate`); the application
-- (gunicorn, Celery) runs as another role, given here everything it needs but the right to change
-- the journal: on the journal it may only INSERT and SELECT. Whatever it runs, it can neither
-- UPDATE, DELETE nor TRUNCATE an entry, nor disable the triggers (only the owner may ALTER TABLE).
--
-- Run as the owner after every `migrate` (new tables need their grants), with psql:
--   psql "$OWNER_DATABASE_URL" -v app_role=aidants_app -f deploy/journal-role.sql
-- The application's role must exist (CREATE ROLE aidants_app LOGIN PASSWORD '…') and its
-- DATABASE_URL name it. tests/mandats/test_journal_roles.py runs this very file.

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- The journal: read and append, nothing else; its cut-overs (seals, chains): read only.
REVOKE ALL ON mandats_journalentry, mandats_journalsealcutover, mandats_journalchaincutover FROM :"app_role";
GRANT SELECT, INSERT ON mandats_journalentry TO :"app_role";
GRANT SELECT ON mandats_journalsealcutover, mandats_journalchaincutover TO :"app_role";
REVOKE ALL ON SEQUENCE mandats_journalentry_id_seq FROM :"app_role";
GRANT USAGE ON SEQUENCE mandats_journalentry_id_seq TO :"app_role";
