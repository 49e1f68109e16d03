"""The audit log refuses UPDATE and DELETE in the database itself (PostgreSQL).

The model refuses them too, but a trigger also stops a bulk queryset update,
a raw SQL statement or a compromised application path. (TRUNCATE needs the
table owner's rights, which the application role should not have in a
hardened deployment; the test suite's flush uses it. SQLite, the embedded
demo, relies on the model only.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clients_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clients_auditevent_no_update_or_delete
    BEFORE UPDATE OR DELETE ON clients_auditevent
    FOR EACH ROW EXECUTE FUNCTION clients_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS clients_auditevent_no_update_or_delete ON clients_auditevent;
DROP FUNCTION IF EXISTS clients_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_client_details_intake_consent_screeners_audit")]

    operations = [migrations.RunPython(forwards, backwards)]
