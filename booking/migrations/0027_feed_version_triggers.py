"""Feed versions kept by triggers, so a calendar feed's ETag is one small read.

A feed's ETag was two aggregates over its whole window (about 10 ms for a busy
therapist's 1,500 sessions); now it is the versions of the scopes the feed
shows, bumped in the same transaction as every write that changes what a feed
says, whoever makes it (the services, the admin, a bulk ``.update()``, raw SQL).

Scopes and what bumps them:
- ``therapist:<id>``: that therapist's sessions (booking_appointment rows that
  are not holds, before or after the write: a hold is no session yet), their
  own time off, and their row (name, zone);
- ``sessions:<practice id>``: any session of the practice (the practice's and
  the clients' feeds);
- ``practice:<id>``: the practice's row, its session types, holidays (time off
  without a therapist), therapists' rows, and clients' names (update of
  first_name or last_name, or delete).
Each bump writes a fresh random version and the time of the write (for
Last-Modified). A feed's ETag is built from its own row, today's date and the
versions of its scopes (``booking.feeds.feeds.feed_validators``).
"""

import importlib

from django.db import migrations, models

# The trigger helper the availability versions use (same file layout, same vendors).
VendorRunSQL = importlib.import_module(
    "booking.migrations.0026_availability_version_triggers"
).VendorRunSQL

SHOWN = "R.status <> 'held'"
# (table, [(condition on the row R or None, key expression)], columns whose update bumps or None)
SCOPES = [
    (
        "booking_appointment",
        [(SHOWN, "'therapist:' || R.therapist_id"), (SHOWN, "'sessions:' || R.practice_id")],
        None,
    ),
    (
        "booking_timeoff",
        [
            ("R.therapist_id IS NULL", "'practice:' || R.practice_id"),
            ("R.therapist_id IS NOT NULL", "'therapist:' || R.therapist_id"),
        ],
        None,
    ),
    (
        "practice_therapist",
        [(None, "'therapist:' || R.id"), (None, "'practice:' || R.practice_id")],
        None,
    ),
    ("practice_sessiontype", [(None, "'practice:' || R.practice_id")], None),
    ("practice_practice", [(None, "'practice:' || R.id")], None),
    ("clients_client", [(None, "'practice:' || R.practice_id")], ["first_name", "last_name"]),
]
# Clients: a new one is in no feed yet (its session bumps when booked).
NO_INSERT = {"clients_client"}


def _on(text, row):
    return text.replace("R.", f"{row}.")


def _postgresql():
    forwards = [
        """
        CREATE FUNCTION booking_feed_bump(scope text) RETURNS void AS $$
            INSERT INTO booking_feed_version (key, version, changed_at)
            VALUES (scope, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
            ON CONFLICT (key) DO UPDATE
            SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
        $$ LANGUAGE sql
        """
    ]
    backwards = []
    for table, bumps, columns in SCOPES:
        function = f"{table}_feed_bump"
        body = []
        for row, ops in (("OLD", "'UPDATE', 'DELETE'"), ("NEW", "'UPDATE', 'INSERT'")):
            for condition, key in bumps:
                test = f"TG_OP IN ({ops})"
                if condition:
                    test += f" AND {_on(condition, row)}"
                body.append(f"IF {test} THEN PERFORM booking_feed_bump({_on(key, row)}); END IF;")
        forwards.append(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                {" ".join(body)}
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        ops = "DELETE" if table in NO_INSERT else "INSERT OR DELETE"
        forwards.append(
            f"CREATE TRIGGER {table}_feed AFTER {ops} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns or [])
        when = f"WHEN ({changed})" if columns else ""
        forwards.append(
            f"CREATE TRIGGER {table}_feed_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW {when} EXECUTE FUNCTION {function}()"
        )
        backwards += [
            f"DROP TRIGGER IF EXISTS {table}_feed ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_feed_update ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ]
    backwards.append("DROP FUNCTION IF EXISTS booking_feed_bump(text)")
    return forwards, backwards


def _sqlite():
    def bump(condition, key):
        # SQLite triggers have no IF: an INSERT … SELECT … WHERE does the test (and an
        # upsert from a SELECT needs a WHERE anyway, to parse).
        where = f"WHERE {condition or 'true'}"
        return (
            "INSERT INTO booking_feed_version (key, version, changed_at) "
            f"SELECT {key}, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now') "
            f"{where} ON CONFLICT (key) DO UPDATE "
            "SET version = excluded.version, changed_at = excluded.changed_at;"
        )

    forwards, backwards = [], []
    for table, bumps, columns in SCOPES:
        events = [("update", "UPDATE", ["OLD", "NEW"]), ("delete", "DELETE", ["OLD"])]
        if table not in NO_INSERT:
            events.append(("insert", "INSERT", ["NEW"]))
        for name, event, rows in events:
            when = ""
            if event == "UPDATE" and columns:
                when = "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            body = " ".join(
                bump(condition and _on(condition, row), _on(key, row))
                for row in rows
                for condition, key in bumps
            )
            trigger = f"{table}_feed_{name}"
            forwards.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW {when} "
                f"BEGIN {body} END"
            )
            backwards.append(f"DROP TRIGGER IF EXISTS {trigger}")
    return forwards, backwards


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0026_availability_version_triggers"),
        ("clients", "0009_audit_action_denied"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedVersion",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("version", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField()),
            ],
            options={
                "db_table": "booking_feed_version",
            },
        ),
        VendorRunSQL({"postgresql": _postgresql, "sqlite": _sqlite}),
    ]
