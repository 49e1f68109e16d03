"""Hand-written statements that PostgreSQL plans once per connection, not per request.

Django's PostgreSQL cursor binds parameters on the client (psycopg's
``ClientCursor``), so the server parses and plans every statement afresh. For a
small query joining six tables, planning is most of its cost: about 0.7 ms of the
database's CPU against 0.05 ms running it (``EXPLAIN ANALYZE`` on the demo data).
``prepared_cursor`` binds on the server instead (Django's own
``ServerBindingCursor``, what its ``server_side_binding`` option uses everywhere),
and psycopg prepares what such a cursor runs a second time on a connection
(``prepare_threshold`` 1, set in settings for PostgreSQL; Django's own cursors
never prepare), so PostgreSQL plans each statement about once per connection and
reuses the plan from then on. With ``CONN_MAX_AGE=0`` (a connection per request)
a statement runs once per connection, is never prepared and costs what it did.

Only for hand-written SQL on the hottest paths: the ORM's SQL is not written to be
prepared (Django ticket #20516), which is why Django leaves preparing off. Behind
PgBouncer in transaction mode, use PgBouncer 1.21 or later with
``max_prepared_statements`` set, or ``PREPARED_STATEMENTS=0`` (docs/deployment.md).

``Columns`` is the other half of a hand-written read: a model's columns for the
SELECT, named from the model (one home for them), and the rows read back as the
ORM would read them, converters and all, into values or model instances.
"""

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


class PreparedDebugCursor(CursorDebugWrapper):
    """Django's debug cursor (DEBUG, tests), logging a prepared statement's text as
    Django's ``server_side_binding`` would: the statement with its parameters merged
    (the ORM's default reads the text psycopg sent, and a prepared statement sends none)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor():
    """A cursor (a context manager, like ``connection.cursor()``) whose statements are
    prepared on PostgreSQL; the usual cursor elsewhere, or with PREPARED_STATEMENTS off.

    Queries through it are logged and counted like any other (Django's cursor
    wrappers, execute wrappers included).
    """
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        return connection.cursor()
    # What connection.cursor() does, with another cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return PreparedDebugCursor(cursor, connection)
    return connection.make_cursor(cursor)


class Columns:
    """A model's columns in a hand-written SELECT (``sql``, with a table alias), and
    rows read back as the ORM reads them: each value through the field's and the
    backend's converters (booleans, decimals, durations and datetimes on SQLite…),
    and ``instance`` builds the model as a queryset would (``Model.from_db``)."""

    def __init__(self, model, alias: str, fields: tuple[str, ...] | None = None):
        self.model = model
        if fields is None:
            chosen = model._meta.concrete_fields
        else:
            chosen = [model._meta.get_field(name) for name in fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in chosen)
        self.names = [field.attname for field in chosen]
        self.converters = []
        for i, field in enumerate(chosen):
            column = field.get_col(alias)
            found = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if found:
                self.converters.append((i, column, found))

    def __len__(self) -> int:
        return len(self.names)

    def convert(self, values) -> list:
        values = list(values)
        for i, column, converters in self.converters:
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        return values

    def instance(self, values):
        return self.model.from_db(connection.alias, self.names, self.convert(values))
