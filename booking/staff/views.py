"""Staff pages for schedules: the therapist's calendar, the front desk, sessions,
availability and standing appointments. Thin: access in practice.access, reads
in booking.staff.calendar and booking.scheduling.selectors, writes in the booking services."""

from datetime import time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from booking.access import (
    appointment_or_404,
    appointments_visible,
    extra_hours_to_change,
    series_or_404,
    shows_client_of,
    time_off_to_change,
)
from booking.exceptions import BookingError, SessionsInsideTimeOff, SlotUnavailable
from booking.models import ACTIVE_STATUSES, UNDO_WINDOW, ExtraHours, TimeOff, Weekday
from booking.scheduling import availability, selectors, services
from booking.scheduling import series as series_services
from booking.scheduling.selectors import PARTS_OF_DAY
from booking.staff import calendar
from booking.staff.forms import (
    ExtraHoursForm,
    HolidayForm,
    OutcomeForm,
    RescheduleForm,
    SeriesForm,
    TimeOffForm,
    WeeklyHoursForm,
)
from clients.access import client_or_404
from practice.access import can_run_practice_calendar, staff_required, therapists_manageable
from practice.display import in_zones, own_time, page_zone, render_in_zone
from practice.models import Room, SessionType
from practice.parsing import (
    SKIPPED_TIME,
    aware_datetime_or_none,
    date_or_none,
    date_param,
    int_or_none,
    uuid_or_none,
    wall_start,
    wall_time_or_none,
)

DAY_VIEW_DAYS, WEEK_VIEW_DAYS = 1, 7


def _therapist_for(request, param="therapist"):
    """The therapist whose calendar is asked for: a therapist's own; anyone's for the desk."""
    therapists = therapists_manageable(request.staff)
    wanted = request.GET.get(param) or request.POST.get(param)
    if request.staff.is_therapist and not wanted:
        return request.staff.therapist
    if wanted and int_or_none(wanted) is not None:
        therapist = therapists.filter(pk=int_or_none(wanted)).first()
        if therapist is not None:
            return therapist
        raise Http404("No such therapist (whose calendar you may see).")
    return therapists.order_by("display_name").first()


@staff_required
def therapist_calendar(request: HttpRequest) -> HttpResponse:
    therapist = _therapist_for(request)
    if therapist is None:
        raise Http404("No therapist yet.")
    zone = therapist.zone
    today = timezone.now().astimezone(zone).date()
    view = "day" if request.GET.get("view") == "day" else "week"
    chosen = date_param(request.GET, "date", today)
    first = chosen if view == "day" else calendar.week_start_of(chosen)
    days = DAY_VIEW_DAYS if view == "day" else WEEK_VIEW_DAYS
    grid = calendar.therapist_week(therapist=therapist, first_day=first, days=days, today=today)
    step = timedelta(days=days)
    return render_in_zone(
        request,
        "staff/calendar.html",
        {
            "therapist": therapist,
            "therapists": therapists_manageable(request.staff).order_by("display_name"),
            "grid": grid,
            "view": view,
            "first": first,
            "last": first + step - timedelta(days=1),
            "previous": first - step,
            "next": first + step,
            "today": today,
            "month": calendar.month_overview(therapist=therapist, month_day=chosen, today=today),
            "month_label": f"{chosen:%B %Y}",
            "nav": "calendar",
        },
        zone=zone,
    )


@staff_required(allow=can_run_practice_calendar)
def front_desk(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    practice = staff.practice
    zone = practice.zone
    today = timezone.now().astimezone(zone).date()
    day = date_param(request.GET, "date", today)
    by_room = request.GET.get("by") == "room"
    therapists = therapists_manageable(staff).order_by("display_name")
    session_types = SessionType.objects.filter(practice=practice, is_active=True)
    rooms = Room.objects.filter(practice=practice, is_active=True)
    chosen_type = session_types.filter(pk=_int(request.GET.get("session_type"))).first()
    if chosen_type is not None:
        therapists = therapists.filter(session_types=chosen_type)
    if _int(request.GET.get("therapist")):
        therapists = therapists.filter(pk=_int(request.GET.get("therapist")))
    shown_rooms = (
        rooms.filter(pk=_int(request.GET.get("room"))) if _int(request.GET.get("room")) else rooms
    )
    grid = calendar.front_desk_day(
        practice=practice,
        day=day,
        therapists=therapists,
        zone=zone,
        today=today,
        show_client=lambda a: shows_client_of(staff, a),
        by_room=by_room,
        rooms=shown_rooms,
    )
    week = None
    if request.GET.get("view") == "week":
        week = calendar.front_desk_week(
            practice=practice,
            first_day=calendar.week_start_of(day),
            therapists=therapists,
            zone=zone,
            today=today,
            show_client=lambda a: shows_client_of(staff, a),
        )
    next_free = []
    if chosen_type is not None and request.GET.get("find"):
        found = selectors.free_times_next(
            therapists=therapists,
            session_type=chosen_type,
            now=timezone.now(),
            limit=8,
            zone=zone,
            from_day=day,
            **_finder_filters(request.GET),
        )
        next_free = [{"start": start.astimezone(zone), "therapists": who} for start, who in found]
    return render_in_zone(
        request,
        "staff/front_desk.html",
        {
            "grid": grid,
            "week": week,
            "day": day,
            "previous": day - timedelta(days=7 if week else 1),
            "next": day + timedelta(days=7 if week else 1),
            "today": today,
            "by_room": by_room,
            "therapists": therapists_manageable(staff).order_by("display_name"),
            "session_types": session_types,
            "rooms": rooms,
            "filters": request.GET,
            "chosen_type": chosen_type,
            "next_free": next_free,
            "find": bool(request.GET.get("find")),
            "weekdays": Weekday.choices,
            "parts": PARTS_OF_DAY,
            "nav": "desk",
        },
        zone=zone,
    )


def _int(value) -> int | None:
    return int_or_none(value)


def _finder_filters(params) -> dict:
    """The finder's "which weekday" and "what time of day" (unknown values mean "any")."""
    weekday = int_or_none(params.get("weekday", ""))
    return {
        "weekday": weekday if weekday in range(7) else None,
        "part_of_day": params.get("part", "") if params.get("part") in PARTS_OF_DAY else "",
    }


# --- One session ------------------------------------------------------------------------


@staff_required
def appointment_detail(request: HttpRequest, public_id) -> HttpResponse:
    appointment = appointment_or_404(request.staff, public_id)
    therapist = appointment.therapist
    now = timezone.now()
    local = appointment.start.astimezone(therapist.zone)
    free = []
    if appointment.is_active and appointment.start > now:
        free = selectors.slot_list(
            therapist=therapist,
            session_type=appointment.session_type,
            window_start=max(now, appointment.start - timedelta(days=7)),
            window_end=appointment.start + timedelta(days=14),
            now=now,
            exclude_appointment_id=appointment.pk,
        )
        # Its own time is free once it is left out, but "moving" there moves nothing.
        free = [f for f in free if f != appointment.start][:24]
    move_check = None
    if "date" in request.GET:
        move_check = _move_check(request, appointment)
    elif "pick" in request.GET:
        move_check = _pick_check(request, appointment)
    # The form shows the time being checked: a picked one, else the session's own.
    shown = (move_check or {}).get("start") or local
    return render_in_zone(
        request,
        "staff/appointment.html",
        {
            "appointment": appointment,
            "local": local,
            "zone": therapist.time_zone,
            "practice_time": own_time(
                appointment.start, shown_zone=therapist.zone, own_zone=appointment.practice.zone
            ),
            "free": [f.astimezone(therapist.zone) for f in free],
            "reschedule_form": RescheduleForm(
                request.GET if "date" in request.GET else None,
                initial={"date": shown.date(), "time": shown.time()},
                auto_id="move-%s",
            ),
            "move_check": move_check,
            "picked": (move_check or {}).get("start"),
            "outcome_form": OutcomeForm(),
            "started": appointment.start <= now,
            "cancel_check": "cancel" in request.GET,
            "events": [
                {
                    "e": e,
                    "at": e.at.astimezone(therapist.zone),
                    "previous": e.previous_start and e.previous_start.astimezone(therapist.zone),
                }
                for e in selectors.appointment_events(appointment)
            ],
            "nav": "calendar",
        },
        zone=therapist.zone,
    )


def _told(appointment) -> str:
    """What the client heard: nothing reaches an address its owner has not confirmed."""
    if appointment.client.is_verified:
        return "The client has been told."
    return "Nothing was sent: the person has not confirmed their email address."


def _move_check(request, appointment) -> dict:
    """A typed date and time, read as the instant it will create, in both zones (nothing saved)."""
    form = RescheduleForm(request.GET)
    if not form.is_valid():
        return {"error": "Give a date and a time."}
    therapist = appointment.therapist
    start = wall_start(form.cleaned_data["date"], form.cleaned_data["time"], therapist.zone)
    if start is None:
        return {"error": SKIPPED_TIME}
    return {
        "lines": in_zones(start, therapist.zone, appointment.practice.zone),
        "data": form.cleaned_data,
    }


def _pick_check(request, appointment) -> dict:
    """A free time picked from the list, read back in both zones like a typed one."""
    start = aware_datetime_or_none(request.GET.get("pick", ""))
    if start is None:
        return {"error": "Pick one of the free times listed."}
    if start == appointment.start:
        return {"error": "That is the session's time now; pick another."}
    therapist = appointment.therapist
    return {
        "lines": in_zones(start, therapist.zone, appointment.practice.zone),
        "start": start.astimezone(therapist.zone),
    }


def _back(appointment, request=None):
    """Back to the session, or to the staff page the action was taken from (Today, a calendar)."""
    wanted = request.POST.get("next", "") if request is not None else ""
    if wanted.startswith("/staff/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}
    ):
        return redirect(wanted)
    return redirect("staff-appointment", appointment.public_id)


def _notify(request) -> bool:
    """The confirm step's "Notify the client?" box (ticked by default).

    A form that does not ask (an older page, a script) notifies, as before.
    """
    if request.POST.get("notify_asked") != "1":
        return True
    return request.POST.get("notify") == "on"


def _told_or_not(appointment, notify: bool) -> str:
    return _told(appointment) if notify else "The client was not sent a message."


@staff_required
@require_POST
def appointment_action(request: HttpRequest, public_id, action: str) -> HttpResponse:
    """Approve, decline, cancel, reschedule, or record the outcome of a session."""
    appointment = appointment_or_404(request.staff, public_id)
    try:
        if action == "approve":
            services.appointment_approve(appointment=appointment, by=request.user)
            messages.success(request, "Approved. The client has been told.")
        elif action == "decline":
            services.appointment_decline(appointment=appointment, by=request.user)
            messages.success(request, f"Declined. The time is free again. {_told(appointment)}")
        elif action == "cancel":
            late = request.POST.get("late") == "on"
            notify = _notify(request)
            services.appointment_cancel(
                appointment=appointment,
                actor=services.Actor.STAFF,
                late=late,
                reason=request.POST.get("reason", "")[:500],
                by=request.user,
                notify=notify,
                undoable=True,
            )
            _done_with_undo(request, appointment, f"Cancelled. {_soon_told(appointment, notify)}")
        elif action == "undo":
            services.appointment_undo(
                appointment=appointment,
                event_id=int_or_none(request.POST.get("event", "")) or 0,
                by=request.user,
            )
            messages.success(
                request, "Undone: the session is as it was. The client was sent nothing."
            )
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose attended, no-show or late-cancelled.")
            services.appointment_record_outcome(
                appointment=appointment, outcome=form.cleaned_data["outcome"], by=request.user
            )
            local = appointment.start.astimezone(appointment.therapist.zone)
            messages.success(
                request,
                f"Recorded: {appointment.client.display_name}, {local:%a %d %b} — "
                f"{dict(form.fields['outcome'].choices)[form.cleaned_data['outcome']]}.",
            )
        elif action == "reschedule":
            return _reschedule(request, appointment)
        else:
            raise Http404("No such action.")
    except BookingError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(appointment, request)


def _reschedule(request, appointment):
    therapist = appointment.therapist
    if request.POST.get("start"):
        start = aware_datetime_or_none(request.POST["start"])
        if start is None:
            messages.error(request, "Pick one of the free times listed.")
            return _back(appointment)
        override = False
    else:
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a date and a time.")
            return _back(appointment)
        start = wall_start(form.cleaned_data["date"], form.cleaned_data["time"], therapist.zone)
        if start is None:
            messages.error(request, SKIPPED_TIME)
            return _back(appointment)
        override = form.cleaned_data["override_hours"]
    notify = _notify(request)
    services.appointment_reschedule(
        appointment=appointment,
        start=start,
        actor=services.Actor.STAFF,
        enforce_availability=not override,
        notify=notify,
        undoable=True,
        by=request.user,
    )
    _done_with_undo(request, appointment, f"Moved. {_soon_told(appointment, notify)}")
    return _back(appointment)


def _soon_told(appointment, notify: bool) -> str:
    """What the client will hear of an undoable change (after the undo window)."""
    if not notify:
        return "The client was not sent a message."
    if not appointment.client.is_verified:
        return _told(appointment)
    return f"The client will be told in {UNDO_WINDOW.seconds} seconds, unless you undo it."


def _done_with_undo(request, appointment, text: str) -> None:
    """The success message, carrying an Undo button for the change just made
    (``staff/base.html`` draws it from the message's tags)."""
    event = selectors.appointment_latest_event(appointment)
    action = reverse("staff-appointment-action", args=[appointment.public_id, "undo"])
    messages.success(request, text, extra_tags=f"undo {action} {event.pk}")


# --- Availability -----------------------------------------------------------------------


@staff_required
def availability_page(request: HttpRequest) -> HttpResponse:
    therapist = _therapist_for(request)
    if therapist is None:
        raise Http404("No therapist yet.")
    weekly = availability.weekly_hours_get(therapist)
    hours_form = WeeklyHoursForm(
        request.POST if request.POST.get("form") == "hours" else None,
        initial={f"day_{d}": availability.format_intervals(i) for d, i in weekly.items()},
    )
    extra_form = ExtraHoursForm(
        request.POST if request.POST.get("form") == "extra" else None, auto_id="extra-%s"
    )
    off_form = TimeOffForm(
        request.POST if request.POST.get("form") == "off" else None, auto_id="off-%s"
    )
    holiday_form = HolidayForm(
        request.POST if request.POST.get("form") == "holiday" else None, auto_id="holiday-%s"
    )
    status, inside = 200, None
    if request.method == "POST":
        which = request.POST.get("form")
        form = {
            "hours": hours_form,
            "extra": extra_form,
            "off": off_form,
            "holiday": holiday_form,
        }.get(which)
        if form is None:
            raise Http404("No such form.")
        if which == "holiday" and not can_run_practice_calendar(request.staff):
            raise PermissionDenied("Only the front desk and owners set practice holidays.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "hours":
                    availability.weekly_hours_replace(therapist=therapist, weekly=data["weekly"])
                elif which == "extra":
                    availability.extra_hours_add(
                        therapist=therapist,
                        on=data["date"],
                        start=data["start_time"],
                        end=data["end_time"],
                    )
                else:
                    availability.time_off_add(
                        practice=therapist.practice,
                        therapist=None if which == "holiday" else therapist,
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        start_time=data["start_time"],
                        end_time=data["end_time"],
                        reason=data["reason"],
                        repeats_yearly=data.get("repeats_yearly", False),
                        on_sessions=_session_decisions(request.POST),
                        moves=_session_moves(request.POST),
                        notify=_move_notify(request.POST),
                        by=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            except SessionsInsideTimeOff as exc:
                off = _unsaved_off(which, therapist, data)
                inside = _sessions_inside(request, which, off, exc.appointments, exc.message)
            except SlotUnavailable as exc:
                off = _unsaved_off(which, therapist, data)
                again = selectors.appointments_inside_time_off(off, now=timezone.now())
                inside = _sessions_inside(request, which, off, again, exc.message)
            else:
                messages.success(request, "Saved. Public booking times follow at once.")
                moved = _session_moves(request.POST)
                to_move = [
                    k
                    for k, v in _session_decisions(request.POST).items()
                    if v == "move" and k not in moved
                ]
                back = f"{reverse('staff-availability')}?therapist={therapist.pk}"
                return redirect(back + "".join(f"&move={i}" for i in to_move))
        status = 409 if inside else 400
    today = timezone.now().astimezone(therapist.zone).date()
    return render(
        request,
        "staff/availability.html",
        {
            "therapist": therapist,
            "therapists": therapists_manageable(request.staff).order_by("display_name"),
            "hours_form": hours_form,
            "extra_form": extra_form,
            "off_form": off_form,
            "holiday_form": holiday_form,
            "extra_hours": ExtraHours.objects.filter(therapist=therapist, date__gte=today),
            "time_off": TimeOff.objects.filter(
                practice=therapist.practice, therapist=therapist, end_date__gte=today
            ),
            "holidays": TimeOff.objects.filter(
                practice=therapist.practice, therapist__isnull=True
            ).order_by("start_date"),
            "can_set_holidays": can_run_practice_calendar(request.staff),
            "inside": inside,
            "to_move": _sessions_to_move(request),
            "nav": "availability",
        },
        status=status,
    )


def _sessions_to_move(request) -> list[dict]:
    """The sessions staff chose to move when adding time off (``?move=<id>``), each
    linked to its move form; those already moved or cancelled drop off the list."""
    ids = [i for i in request.GET.getlist("move") if uuid_or_none(i)]
    if not ids:
        return []
    sessions = (
        appointments_visible(request.staff)
        .filter(public_id__in=ids, status__in=ACTIVE_STATUSES, start__gte=timezone.now())
        .select_related("therapist", "client", "session_type")
        .order_by("start")
    )
    return [
        {
            "a": a,
            "local": a.start.astimezone(a.therapist.zone),
            "shown": shows_client_of(request.staff, a),
        }
        for a in sessions
    ]


def _session_decisions(post) -> dict[str, str]:
    """ "session_<public id>" = keep | move | cancel, as the time-off question was answered."""
    return {k.removeprefix("session_"): v for k, v in post.items() if k.startswith("session_")}


def _session_moves(post) -> dict:
    """ "move_<public id>" = the new start picked for a session to move (ISO, with offset)."""
    moves = {}
    for key, value in post.items():
        if key.startswith("move_") and key != "move_notify" and value:
            start = aware_datetime_or_none(value)
            if start is not None:
                moves[key.removeprefix("move_")] = start
    return moves


def _move_notify(post) -> bool:
    """The time-off question's "Notify the client?" for the sessions it moves (ticked)."""
    return post.get("move_notify_asked") != "1" or post.get("move_notify") == "on"


def _unsaved_off(which: str, therapist, data) -> TimeOff:
    """The time off being asked about, as the service builds it (not saved)."""
    return TimeOff(
        practice=therapist.practice,
        therapist=None if which == "holiday" else therapist,
        start_date=data["start_date"],
        end_date=data["end_date"],
        start_time=data["start_time"],
        end_time=data["end_time"],
        repeats_yearly=data.get("repeats_yearly", False),
    )


def _sessions_inside(request, which: str, off: TimeOff, appointments, message: str) -> dict:
    """The question to ask: each session inside the time off, in its therapist's zone, with
    the free times it could move to (outside this time off)."""
    now = timezone.now()
    return {
        "form": which,
        "message": message,
        "notify": _move_notify(request.POST),
        "sessions": [
            {
                "a": a,
                "local": a.start.astimezone(a.therapist.zone),
                "zone": a.therapist.time_zone,
                "shown": shows_client_of(request.staff, a),
                "choice": request.POST.get(f"session_{a.public_id}", ""),
                "picked": request.POST.get(f"move_{a.public_id}", ""),
                "free": [
                    t.astimezone(a.therapist.zone)
                    for t in selectors.free_times_outside_time_off(off, a, now=now)
                ],
            }
            for a in appointments
        ],
    }


@staff_required
@require_POST
def availability_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "extra":
        extra = extra_hours_to_change(request.staff, pk)
        therapist_id = extra.therapist_id
        availability.extra_hours_delete(extra_hours=extra)
    elif kind == "off":
        off = time_off_to_change(request.staff, pk)
        therapist_id = off.therapist_id or request.POST.get("therapist", "")
        availability.time_off_delete(time_off=off)
    else:
        raise Http404
    messages.success(request, "Removed.")
    return redirect(f"{reverse('staff-availability')}?therapist={therapist_id}")


# --- Standing appointments ------------------------------------------------------------


def _decisions_from(request, plan, zone) -> tuple[dict, list[str]]:
    decisions, errors = {}, []
    for occurrence in plan:
        if not occurrence.conflict:
            continue
        key = occurrence.date.isoformat()
        choice = request.POST.get(f"decide_{key}", "")
        if choice in ("skip", "keep"):
            decisions[occurrence.date] = choice
        elif choice == "move":
            day = date_or_none(request.POST.get(f"move_date_{key}", ""))
            at = wall_time_or_none(request.POST.get(f"move_time_{key}", ""))
            start = wall_start(day, at, zone) if day and at else None
            if start is None:
                errors.append(f"{occurrence.date:%a %d %b}: give a date and time to move it to.")
            else:
                decisions[occurrence.date] = start
    return decisions, errors


@staff_required
def series_new(request: HttpRequest, client_id) -> HttpResponse:
    staff = request.staff
    client = client_or_404(staff, client_id, request=request)
    therapists = therapists_manageable(staff)
    therapist = staff.therapist or client.assigned_therapist
    offered = therapist.session_types.filter(is_active=True).first() if therapist else None
    form = SeriesForm(
        request.POST or None,
        therapists=therapists,
        session_types=SessionType.objects.filter(practice=staff.practice, is_active=True),
        initial={
            "therapist": therapist.pk if therapist else None,
            "session_type": offered.pk if offered else None,
            "interval_weeks": 1,
            "ends": "count",
            "count": 10,
        },
    )
    plan, errors, status = None, [], 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        args = {
            "therapist": data["therapist"],
            "session_type": data["session_type"],
            "first_date": data["first_date"],
            "local_time": time(data["time"].hour, data["time"].minute),
            "interval_weeks": data["interval_weeks"],
            "count": data["count"],
            "until": data["until"],
        }
        try:
            plan = series_services.series_plan(**args)
            if request.POST.get("step") == "create":
                decisions, errors = _decisions_from(request, plan, data["therapist"].zone)
                if not errors:
                    created = series_services.series_create(
                        client=client, decisions=decisions, by=request.user, **args
                    )
                    messages.success(request, "Standing appointments booked.")
                    return redirect("staff-series", created.public_id)
        except BookingError as exc:
            errors.append(exc.message)
        status = 409 if errors else 200
    elif request.method == "POST":
        status = 400
    zone = form.cleaned_data["therapist"].zone if plan else None
    return render_in_zone(
        request,
        "staff/series_new.html",
        {
            "client": client,
            "form": form,
            "plan": [
                {
                    "o": o,
                    "key": o.date.isoformat(),
                    "local": o.start.astimezone(zone) if o.start else None,
                    "practice_time": own_time(
                        o.start, shown_zone=zone, own_zone=staff.practice.zone
                    )
                    if o.start
                    else "",
                    "choice": request.POST.get(f"decide_{o.date.isoformat()}", ""),
                    "move_date": request.POST.get(f"move_date_{o.date.isoformat()}", ""),
                    "move_time": request.POST.get(f"move_time_{o.date.isoformat()}", ""),
                }
                for o in plan or []
            ],
            "conflicts": sum(1 for o in plan or [] if o.conflict),
            "errors": errors,
            "nav": "calendar",
        },
        zone=zone or page_zone(staff, therapist=therapist),
        status=status,
    )


@staff_required
def series_detail(request: HttpRequest, public_id) -> HttpResponse:
    series = series_or_404(request.staff, public_id)
    zone = series.therapist.zone
    occurrences = [
        {"a": a, "local": a.start.astimezone(zone)} for a in series.appointments.order_by("start")
    ]
    return render_in_zone(
        request,
        "staff/series.html",
        {"series": series, "occurrences": occurrences, "nav": "calendar"},
        zone=zone,
    )


@staff_required
@require_POST
def series_end(request: HttpRequest, public_id) -> HttpResponse:
    series = series_or_404(request.staff, public_id)
    from_date = date_or_none(request.POST.get("from_date", ""))
    if from_date is None:
        messages.error(request, "Give the first date to cancel from.")
        return redirect("staff-series", series.public_id)
    cancelled = series_services.series_end(series=series, from_date=from_date, by=request.user)
    messages.success(request, f"{len(cancelled)} session(s) cancelled; the client has been told.")
    return redirect("staff-series", series.public_id)
