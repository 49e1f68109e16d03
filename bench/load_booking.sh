#!/usr/bin/env bash
# Load benchmark: bookings through gunicorn on PostgreSQL, with wrk on loopback.
#   bench/load_booking.sh [seconds per step, default 15]
# Creates and drops its own database (booking_load), raises the rate limits for
# the run, and checks afterwards that no two active sessions overlap.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_STEP=${1:-15}
DB=booking_load
PORT=8020
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
# A Redis database of its own: the confirmations queued here are flushed at the end.
export REDIS_URL=redis://127.0.0.1:6379/9
export SECRET_KEY=load-benchmark-only-0123456789abcdefghijklmnopqrstuvwxyz
export FIELD_ENCRYPTION_KEYS=YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=
export DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export RATE_LIMIT_SLOTS=100000000/second RATE_LIMIT_BOOKING=100000000/second
export RATE_LIMIT_FEED=100000000/second SITE_URL=http://127.0.0.1:8020
export CELERY_TASK_ALWAYS_EAGER=0 EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export SLOTS_FILE=var/load-slots.txt
mkdir -p var

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
STATIC_ROOT=var/load-static .venv/bin/python manage.py collectstatic --noinput -v0
export STATIC_ROOT=var/load-static
# Every offered start for the demo's in-person types, next 60 days.
.venv/bin/python - <<'PY' > "$SLOTS_FILE"
import django, os
from datetime import timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
django.setup()
from django.utils import timezone
from booking.selectors import slot_list
from practice.models import SessionType
now = timezone.now()
for st in SessionType.objects.filter(modality="in_person"):
    for t in st.therapists.all():
        for s in slot_list(therapist=t, session_type=st, window_start=now,
                           window_end=now + timedelta(days=59), now=now):
            print(t.pk, st.pk, s.isoformat())
PY
echo "offered starts: $(wc -l < "$SLOTS_FILE")"

.venv/bin/gunicorn practice.wsgi:application -b 127.0.0.1:$PORT -w 4 --log-level warning \
  >var/load-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

printf "%-10s %-12s %10s %8s %8s  %s\n" what clients req/s p50_ms p99_ms statuses
for clients in 1 8 32 64; do
  threads=$(( clients < 2 ? 1 : 2 ))
  # Each step starts with an empty book, so most requests can succeed.
  psql -h 127.0.0.1 -U postgres -d $DB -qc "DELETE FROM booking_notification; DELETE FROM booking_appointment;"
  for what in healthz booking; do
    if [ "$what" = healthz ]; then
      out=$(wrk -t$threads -c$clients -d${SECONDS_PER_STEP}s -s bench/load/plain.lua http://127.0.0.1:$PORT/healthz)
    else
      out=$(wrk -t$threads -c$clients -d${SECONDS_PER_STEP}s -s bench/load/book.lua http://127.0.0.1:$PORT)
    fi
    result=$(echo "$out" | sed -n 's/^RESULT //p')
    statuses=$(echo "$out" | sed -n 's/^STATUS //p')
    eval "$(echo "$result" | tr ' ' '\n' | sed 's/^/r_/')"
    printf "%-10s %-12s %10s %8s %8s  %s\n" "$what" "$clients" "$r_rps" "$r_p50_ms" "$r_p99_ms" "$statuses"
  done
done

echo
echo "reads under load (8 and 64 clients):"
today=$(date -u +%Y-%m-%d); later=$(date -u -d "+30 days" +%Y-%m-%d)
slots_url="http://127.0.0.1:$PORT/api/v1/slots/?therapist=1&session_type=1&start=$today&end=$later&tz=Europe/London"
feed_url=$(.venv/bin/python manage.py calendar_feed_url maya@harbor.example | sed -n 1p | sed "s|^.*/calendar/|http://127.0.0.1:$PORT/calendar/|")
etag=$(curl -sI "$feed_url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
printf "%-10s %-12s %10s %8s %8s  %s\n" what clients req/s p50_ms p99_ms statuses
for clients in 8 64; do
  for what in slots-30d feed-200 feed-304; do
    case $what in
      slots-30d) out=$(wrk -t2 -c$clients -d${SECONDS_PER_STEP}s -s bench/load/plain.lua "$slots_url") ;;
      feed-200) out=$(wrk -t2 -c$clients -d${SECONDS_PER_STEP}s -s bench/load/plain.lua "$feed_url") ;;
      feed-304) out=$(wrk -t2 -c$clients -d${SECONDS_PER_STEP}s -s bench/load/plain.lua -H "If-None-Match: $etag" "$feed_url") ;;
    esac
    result=$(echo "$out" | sed -n 's/^RESULT //p')
    statuses=$(echo "$out" | sed -n 's/^STATUS //p')
    eval "$(echo "$result" | tr ' ' '\n' | sed 's/^/r_/')"
    printf "%-10s %-12s %10s %8s %8s  %s\n" "$what" "$clients" "$r_rps" "$r_p50_ms" "$r_p99_ms" "$statuses"
  done
done

echo "double bookings (overlapping active sessions of one therapist):"
psql -h 127.0.0.1 -U postgres -d $DB -tAc "
  SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
    ON a.therapist_id = b.therapist_id AND a.id < b.id
   AND a.status IN ('pending','confirmed') AND b.status IN ('pending','confirmed')
   AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end)"
echo "sessions booked in the last step: $(psql -h 127.0.0.1 -U postgres -d $DB -tAc "SELECT count(*) FROM booking_appointment WHERE status='confirmed'")"
kill $server; wait $server 2>/dev/null || true
trap - EXIT
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB"
redis-cli -n 9 flushdb >/dev/null
