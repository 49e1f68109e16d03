"""Availability versions kept by triggers, so the slots cache can never answer stale.

Every write that changes what the slot engine reads bumps a version in the
same transaction, whoever makes it: the services, the admin, a bulk
``.update()``, raw SQL. The cache (``booking.scheduling.slot_cache``) keys its
entries by these versions.

Scopes and what bumps them (insert, delete, and updates of the listed columns):
- ``therapist:<id>``: booking_appointment (therapist_id, status, blocked_start,
  blocked_end, hold_expires_at: exactly the columns the cache reads),
  booking_workinghours and booking_extrahours (any column), booking_timeoff
  with a therapist (any column), practice_therapist (insert, time_zone).
- ``practice:<id>``: booking_timeoff without a therapist (holidays),
  practice_sessiontype and practice_practice (any column: notice, horizon,
  duration, buffers and step are read fresh on each request, but a change to
  them also retires every cached entry of the practice).
Each bump writes a new random value (PostgreSQL: gen_random_uuid, SQLite:
randomblob), never a counter: a transaction that rolls back cannot leave a
cache entry under a version that a later write would issue again.
"""

from django.db import migrations, models

# (table, key expression with R for the row, columns whose update bumps or None for any)
SCOPES = [
    (
        "booking_appointment",
        "'therapist:' || R.therapist_id",
        ["therapist_id", "status", "blocked_start", "blocked_end", "hold_expires_at"],
    ),
    ("booking_workinghours", "'therapist:' || R.therapist_id", None),
    ("booking_extrahours", "'therapist:' || R.therapist_id", None),
    (
        "booking_timeoff",
        "CASE WHEN R.therapist_id IS NULL THEN 'practice:' || R.practice_id "
        "ELSE 'therapist:' || R.therapist_id END",
        None,
    ),
    ("practice_sessiontype", "'practice:' || R.practice_id", None),
    ("practice_practice", "'practice:' || R.id", None),
    ("practice_therapist", "'therapist:' || R.id", ["time_zone"]),
]


def _key(expression, row):
    return expression.replace("R.", f"{row}.")


def _postgresql():
    forwards = [
        """
        CREATE FUNCTION booking_availability_bump(scope text) RETURNS void AS $$
            INSERT INTO booking_availability_version (key, version)
            VALUES (scope, replace(gen_random_uuid()::text, '-', ''))
            ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version;
        $$ LANGUAGE sql
        """
    ]
    backwards = []
    for table, key, columns in SCOPES:
        function = f"{table}_availability_bump"
        forwards.append(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM booking_availability_bump({_key(key, "OLD")});
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    PERFORM booking_availability_bump({_key(key, "NEW")});
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        ops = "INSERT OR DELETE" if table != "practice_therapist" else "INSERT"
        forwards.append(
            f"CREATE TRIGGER {table}_availability AFTER {ops} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns or [])
        when = f"WHEN ({changed})" if columns else ""
        forwards.append(
            f"CREATE TRIGGER {table}_availability_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW {when} EXECUTE FUNCTION {function}()"
        )
        backwards += [
            f"DROP TRIGGER IF EXISTS {table}_availability ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_availability_update ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ]
    backwards.append("DROP FUNCTION IF EXISTS booking_availability_bump(text)")
    return forwards, backwards


def _sqlite():
    def bump(key):
        return (
            "INSERT INTO booking_availability_version (key, version) "
            f"VALUES ({key}, lower(hex(randomblob(16)))) "
            "ON CONFLICT (key) DO UPDATE SET version = excluded.version;"
        )

    forwards, backwards = [], []
    for table, key, columns in SCOPES:
        events = [("insert", "INSERT", "", ["NEW"]), ("update", "UPDATE", "", ["OLD", "NEW"])]
        if table != "practice_therapist":
            events.append(("delete", "DELETE", "", ["OLD"]))
        for name, event, _, rows in events:
            when = ""
            if event == "UPDATE" and columns:
                when = "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            body = " ".join(bump(_key(key, row)) for row in rows)
            trigger = f"{table}_availability_{name}"
            forwards.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW {when} "
                f"BEGIN {body} END"
            )
            backwards.append(f"DROP TRIGGER IF EXISTS {trigger}")
    return forwards, backwards


class VendorRunSQL(migrations.RunSQL):
    """RunSQL whose statements depend on the database: PL/pgSQL on PostgreSQL,
    SQLite's trigger syntax on the embedded default."""

    def __init__(self, by_vendor):
        self.by_vendor = by_vendor
        super().__init__(sql=[], reverse_sql=[])

    def deconstruct(self):
        return (self.__class__.__name__, [self.by_vendor], {})

    def _statements(self, schema_editor, index):
        return self.by_vendor[schema_editor.connection.vendor]()[index]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self.allow_migrate_model_or_skip(app_label, schema_editor):
            for statement in self._statements(schema_editor, 0):
                schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.allow_migrate_model_or_skip(app_label, schema_editor):
            for statement in self._statements(schema_editor, 1):
                schema_editor.execute(statement, params=None)

    def allow_migrate_model_or_skip(self, app_label, schema_editor):
        return schema_editor.connection.vendor in self.by_vendor

    def describe(self):
        return "Availability version triggers"


# Every existing therapist and practice starts with a version (a missing one is never cached).
SEED = [
    "INSERT INTO booking_availability_version (key, version) "
    "SELECT 'therapist:' || id, 'seed' || id FROM practice_therapist",
    "INSERT INTO booking_availability_version (key, version) "
    "SELECT 'practice:' || id, 'seed' || id FROM practice_practice",
]


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0025_appointment_client_region"),
        ("practice", "0015_therapist_licences"),
    ]

    operations = [
        migrations.CreateModel(
            name="AvailabilityVersion",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("version", models.CharField(max_length=32)),
            ],
            options={
                "db_table": "booking_availability_version",
            },
        ),
        VendorRunSQL({"postgresql": _postgresql, "sqlite": _sqlite}),
        migrations.RunSQL(SEED, reverse_sql=migrations.RunSQL.noop),
    ]
