"""gunicorn's access log without the secrets in manage, details, intake and feed links.

gunicorn writes its access log itself, outside Django's logging, so the rules
of practice.logging.redact are applied here to every value the log format can
use: the request line, path and query, the Referer (a page's own address,
token included, on every asset it loads) and any header or environ atom.
Imports nothing from Django: the master process loads it before the app.
"""

from gunicorn.glogging import Logger

from practice.logging import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
