#!/usr/bin/env bash
# Side by side: our booking, slots and calendar-feed answers against the framework's floor
# (bench/floor/: Django + DRF + psycopg 3, one INSERT under a per-therapist
# advisory lock and an exclusion constraint; a one-query list), both served by
# gunicorn with TLS in the same run, driven by wrk over https on loopback.
#   bench/side_by_side.sh [seconds per step, default 10]
# Environment: BENCH_DB (default booking_side; created and dropped), BENCH_REDIS_DB
# (default 9; flushed at the end), PORT (default 8040; the floor uses PORT+1),
# WORKERS (default 4), WORKER_CLASS (default sync), CONN_MAX_AGE (default 0, as
# the product's default), CLIENTS (default "1 8 32 64").
# Prints one line per step and ours ÷ floor; afterwards checks for double
# bookings on both sides and for 5xx answers and socket errors. The feed steps
# (a therapist with 1,500 sessions: bench/side_by_side_feed.py) are compared with
# the floor's one-query list: 200 with the body kept, and 304 with If-None-Match.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_STEP=${1:-10}
DB=${BENCH_DB:-booking_side}
PORT=${PORT:-8040}
FLOOR_PORT=$((PORT + 1))
WORKERS=${WORKERS:-4}
WORKER_CLASS=${WORKER_CLASS:-sync}
CLIENTS=${CLIENTS:-1 8 32 64}
export CONN_MAX_AGE=${CONN_MAX_AGE:-0}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export REDIS_URL=redis://127.0.0.1:6379/${BENCH_REDIS_DB:-9}
export SECRET_KEY=load-benchmark-only-0123456789abcdefghijklmnopqrstuvwxyz
export FIELD_ENCRYPTION_KEYS=YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=
export DEBUG=0 HTTPS=1 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export RATE_LIMIT_SLOTS=100000000/second RATE_LIMIT_BOOKING=100000000/second
export RATE_LIMIT_FEED=100000000/second
export SITE_URL=https://127.0.0.1:$PORT
export CELERY_TASK_ALWAYS_EAGER=0 EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export SLOTS_FILE=var/side-each.txt RACE_FILE=var/side-race.txt
mkdir -p var
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"; }

# A certificate for this run only.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout var/side-tls.key -out var/side-tls.crt 2>/dev/null

psql -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
PGOPTIONS="-c client_min_messages=warning" psql -d "$DB" -q -f bench/floor/schema.sql
STATIC_ROOT=var/side-static .venv/bin/python manage.py collectstatic --noinput -v0
export STATIC_ROOT=var/side-static
.venv/bin/python -m bench.side_by_side_slots "$SLOTS_FILE" "$RACE_FILE"
echo "starts to book one each: $(wc -l <"$SLOTS_FILE"); racing for: $(wc -l <"$RACE_FILE")"

serve() { # project port log
  env DJANGO_SETTINGS_MODULE="$1.settings" .venv/bin/gunicorn "$1.wsgi:application" \
    -b 127.0.0.1:"$2" -w "$WORKERS" -k "$WORKER_CLASS" \
    --certfile var/side-tls.crt --keyfile var/side-tls.key --log-level warning >"$3" 2>&1 &
}
serve practice "$PORT" var/side-ours.log
ours=$!
serve bench.floor "$FLOOR_PORT" var/side-floor.log
floor=$!
trap 'kill $ours $floor 2>/dev/null || true' EXIT
for port in "$PORT" "$FLOOR_PORT"; do
  for _ in $(seq 100); do
    code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/" || true)
    [ "$code" != 000 ] && break
    sleep 0.2
  done
done

empty_books() {
  psql -d "$DB" -qc "DELETE FROM booking_notification; DELETE FROM booking_appointmentevent;
    DELETE FROM booking_appointment; TRUNCATE floor_booking;"
}

# run <label> <wrk args…>: prints "rps p50 p99 statuses errors"
run() {
  local out
  out=$(wrk --latency -t"$threads" -c"$clients" -d"${SECONDS_PER_STEP}s" "$@" 2>&1)
  local result statuses errors
  result=$(echo "$out" | sed -n 's/^RESULT //p')
  statuses=$(echo "$out" | sed -n 's/^STATUS //p' | tr ' ' ',')
  errors=$(echo "$out" | sed -n 's/^ *Socket errors: //p' | tr -d ' ')
  eval "$(echo "$result" | tr ' ' '\n' | sed 's/^/r_/')"
  echo "$r_rps $r_p50_ms $r_p99_ms ${statuses:-none} ${errors:-none}"
}

today=$(date -u +%Y-%m-%d)
later=$(date -u -d "+30 days" +%Y-%m-%d)
read -r race_therapist race_type _ <"$RACE_FILE"
ours_slots="https://127.0.0.1:$PORT/api/v1/slots/?therapist=$race_therapist&session_type=$race_type&start=$today&end=$later&tz=Europe/London"
floor_slots="https://127.0.0.1:$FLOOR_PORT/floor/slots/?therapist=$race_therapist"

# Warm up every worker of both (imports, connections, TLS) before anything is timed.
wrk -t2 -c16 -d3s "$ours_slots" >/dev/null
wrk -t2 -c16 -d3s "$floor_slots" >/dev/null

uptime
printf "%-10s %7s | %9s %8s %8s %-22s | %9s %8s %8s %-22s | %6s\n" what clients \
  ours_rps p50_ms p99_ms "ours answers" floor_rps p50_ms p99_ms "floor answers" ratio
bad=0
for what in booking contended slots feed feed304; do
  if [ "$what" = feed ]; then
    # A busy therapist's feed (1,500 sessions in its window), after the booking steps.
    empty_books
    .venv/bin/python -m bench.side_by_side_feed var/side-feed.txt
    ours_feed="https://127.0.0.1:$PORT$(cat var/side-feed.txt)"
    etag=$(curl -sk -D - -o /dev/null "$ours_feed" | sed -n 's/^[Ee][Tt]ag: *//p' | tr -d '\r')
    wrk -t2 -c8 -d2s "$ours_feed" >/dev/null  # every worker has read the body once
  fi
  for clients in $CLIENTS; do
    threads=$((clients < 2 ? 1 : 2))
    export WRK_THREADS=$threads
    case $what in
      booking)
        empty_books
        o=$(export FLOOR=0; run -s bench/load/book_each.lua "https://127.0.0.1:$PORT")
        f=$(export FLOOR=1; run -s bench/load/book_each.lua "https://127.0.0.1:$FLOOR_PORT") ;;
      contended)
        empty_books
        o=$(export FLOOR=0; run -s bench/load/book_race.lua "https://127.0.0.1:$PORT")
        f=$(export FLOOR=1; run -s bench/load/book_race.lua "https://127.0.0.1:$FLOOR_PORT") ;;
      slots)
        o=$(run -s bench/load/plain.lua "$ours_slots")
        f=$(run -s bench/load/plain.lua "$floor_slots") ;;
      feed) # a calendar app that does not send If-None-Match: the body kept under its ETag
        o=$(run -s bench/load/plain.lua "$ours_feed")
        f=$(run -s bench/load/plain.lua "$floor_slots") ;;
      feed304) # one that does: 304 Not Modified
        o=$(run -s bench/load/plain.lua -H "If-None-Match: $etag" "$ours_feed")
        f=$(run -s bench/load/plain.lua "$floor_slots") ;;
    esac
    read -r o_rps o_p50 o_p99 o_codes o_err <<<"$o"
    read -r f_rps f_p50 f_p99 f_codes f_err <<<"$f"
    ratio=$(awk -v a="$o_rps" -v b="$f_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf "%-10s %7s | %9s %8s %8s %-22s | %9s %8s %8s %-22s | %6s\n" "$what" "$clients" \
      "$o_rps" "$o_p50" "$o_p99" "$o_codes" "$f_rps" "$f_p50" "$f_p99" "$f_codes" "$ratio"
    for e in "$o_err" "$f_err"; do [ "$e" = none ] || { echo "  socket errors: $e"; bad=1; }; done
    if echo "$o_codes $f_codes" | grep -qE '(^|[ ,])5[0-9][0-9]='; then echo "  5xx answers!"; bad=1; fi
    if [ "$what" = booking ] || [ "$what" = contended ]; then
      doubles=$(psql -d "$DB" -tAc "
        SELECT (SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
                  ON a.therapist_id = b.therapist_id AND a.id < b.id
                 AND a.status IN ('pending','confirmed') AND b.status IN ('pending','confirmed')
                 AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end))
             + (SELECT count(*) FROM floor_booking a JOIN floor_booking b
                  ON a.therapist_id = b.therapist_id AND a.id < b.id
                 AND tstzrange(a.start_at, a.end_at) && tstzrange(b.start_at, b.end_at))")
      booked=$(psql -d "$DB" -tAc "SELECT (SELECT count(*) FROM booking_appointment), (SELECT count(*) FROM floor_booking)" | tr '|' ' ')
      echo "  booked (ours floor): $booked; double bookings: $doubles"
      [ "$doubles" = 0 ] || bad=1
    fi
  done
done
uptime

kill $ours $floor; wait $ours $floor 2>/dev/null || true
trap - EXIT
psql -qc "DROP DATABASE IF EXISTS $DB"
redis-cli -n "${BENCH_REDIS_DB:-9}" flushdb >/dev/null
if [ $bad = 0 ]; then echo "OK: 0 double bookings, 0 5xx, 0 socket errors"; else echo "FAILED"; exit 1; fi
