"""A WSGI app that answers 200 to anything: gunicorn's access log without Django behind it."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
