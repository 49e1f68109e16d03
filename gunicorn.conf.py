"""gunicorn settings for the web service (the Dockerfile runs `gunicorn --config gunicorn.conf.py`).

The access log goes to stdout with manage, details, intake and calendar-feed
tokens and reschedule= values replaced by <token> (practice/gunicorn_logging.py).
Command-line options override these (the tests bind a loopback port).
"""

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
logger_class = "practice.gunicorn_logging.RedactingLogger"
# Apache's combined format, plus the request id the app logs with and the time taken.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s %(M)sms'
)
