#!/usr/bin/env bash
# Soak: mixed traffic (slots, bookings, moves, cancellations, feed fetches) for
# a while through gunicorn, while a real Celery worker and beat send reminders
# that fall due during the run. Afterwards: every due reminder sent exactly
# once (email files counted by Message-ID), none for a cancelled or moved
# session, no overlapping sessions, no 5xx.
#   bench/soak.sh [seconds, default 600]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-600}
DB=booking_soak
PORT=8021
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL=redis://127.0.0.1:6379/8
export SECRET_KEY=soak-benchmark-only-0123456789abcdefghijklmnopqrstuvwxyz
export FIELD_ENCRYPTION_KEYS=YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=
export DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING SITE_URL=http://127.0.0.1:$PORT
export RATE_LIMIT_SLOTS=100000000/second RATE_LIMIT_BOOKING=100000000/second
export RATE_LIMIT_MANAGE=100000000/second RATE_LIMIT_FEED=100000000/second
export NOTIFICATION_SCAN_SECONDS=5
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH=var/soak-mail SMS_FILE_PATH=var/soak-sms
export STATIC_ROOT=var/load-static SLOTS_FILE=var/soak-slots.txt
rm -rf var/soak-mail var/soak-sms; mkdir -p var/soak-mail

redis-cli -n 8 flushdb >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
# Sessions from 10 minutes to 3 hours ahead, with email reminders at several
# offsets, so reminders keep falling due while the soak runs.
.venv/bin/python - <<'PY' > "$SLOTS_FILE"
import django, os
from datetime import time, timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()
from django.utils import timezone
from booking.models import WorkingHours
from booking.selectors import slot_list
from practice.models import Practice, SessionType
Practice.objects.update(quiet_hours_start=time(0), quiet_hours_end=time(0))
SessionType.objects.update(
    min_notice=timedelta(minutes=10), slot_step_minutes=15, buffer_after_minutes=0,
    reminder_schedule=[
        {"channel": "email", "minutes_before": m}
        for m in (5, 10, 15, 20, 30, 45, 60, 90, 120, 170)
    ],
)
for t in {t for st in SessionType.objects.all() for t in st.therapists.all()}:
    WorkingHours.objects.filter(therapist=t).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, weekday=d, start_time=time(0), end_time=time(23, 45))
        for d in range(7))
now = timezone.now()
for st in SessionType.objects.all():
    for t in st.therapists.all():
        for s in slot_list(therapist=t, session_type=st, window_start=now,
                           window_end=now + timedelta(hours=3), now=now):
            print(t.pk, st.pk, s.isoformat())
PY
export FEED_PATH=$(.venv/bin/python manage.py calendar_feed_url maya@harbor.example | sed -n 1p | sed 's|^https\?://[^/]*||')
export SLOTS_PATH="/api/v1/slots/?therapist=1&session_type=1&start=$(date -u +%Y-%m-%d)&end=$(date -u -d '+1 day' +%Y-%m-%d)"
echo "offered starts: $(wc -l < "$SLOTS_FILE")"

.venv/bin/gunicorn practice.wsgi:application -b 127.0.0.1:$PORT -w 3 --log-level warning >var/soak-server.log 2>&1 &
server=$!
.venv/bin/celery -A practice worker --beat --concurrency=2 --loglevel=WARNING \
  --schedule=var/soak-beat-schedule >var/soak-worker.log 2>&1 &
worker=$!
trap 'kill $server $worker 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

wrk -t2 -c8 -d${DURATION}s -s bench/load/mixed.lua http://127.0.0.1:$PORT | sed -n 's/^\(STATUS\|RESULT\) /\1 /p'
echo "traffic over; letting the worker finish what is due"
sleep 30
kill $server; wait $server 2>/dev/null || true

.venv/bin/python - <<'PY'
import django, os, re
from collections import Counter
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()
from django.db import connection
from django.utils import timezone
from booking.models import Notification
sent = Counter()
for f in Path(os.environ["EMAIL_FILE_PATH"]).iterdir():
    for n in re.findall(r"Message-ID: <[^>]*\.n(\d+)@", f.read_text()):
        sent[int(n)] += 1
cutoff = timezone.now() - timezone.timedelta(seconds=20)
reminders = Notification.objects.filter(kind="reminder")
due = reminders.filter(due_at__lte=cutoff).exclude(state="skipped")
states = Counter(due.values_list("state", flat=True))
sent_ids = set(due.filter(state="sent").values_list("pk", flat=True))
emailed = {i for i in sent if i in set(reminders.values_list("pk", flat=True))}
twice = [i for i, n in sent.items() if n > 1]
moot = reminders.filter(state="cancelled").values_list("pk", flat=True)
skipped = reminders.filter(state="skipped").count()
print(f"reminders due during the soak: {due.count()} -> states {dict(states)} "
      f"(and {skipped} skipped: booked inside their offset)")
print(f"emails written: {sum(sent.values())}; reminder emails: {len(emailed)}")
print(f"sent more than once: {len(twice)}; due but not sent: {states.get('scheduled', 0) + states.get('sending', 0)}")
print(f"reminder emails for called-off reminders: {len(emailed & set(moot))}")
print(f"reminders marked sent without an email: {len(sent_ids - emailed)}")
with connection.cursor() as c:
    c.execute("""SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
      ON a.therapist_id = b.therapist_id AND a.id < b.id
     AND a.status IN ('pending','confirmed') AND b.status IN ('pending','confirmed')
     AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end)""")
    print(f"double bookings: {c.fetchone()[0]}")
PY
kill $worker; wait $worker 2>/dev/null || true
trap - EXIT
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB"
redis-cli -n 8 flushdb >/dev/null
