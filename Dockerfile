# One image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Hashed static files, served by the app itself (whitenoise).
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput
# var/media exists (owned by the app's user) so the compose "media" volume starts writable.
RUN useradd --system --home /app booking && mkdir -p /app/var/media && chown -R booking /app/var
USER booking

EXPOSE 8000
# Bind, workers and the token-redacting access log: gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "practice.wsgi:application"]
