"""HTML views for clients. The full booking pages come with the booking-pages issue."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from booking import policy, selectors
from booking.tokens import public_id_from_token


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    public_id = public_id_from_token(token)
    appointment = public_id and selectors.appointment_get_by_public_id(public_id)
    if not appointment:
        raise Http404("This link is not valid. Check that you copied all of it.")
    context = {
        "appointment": appointment,
        "deadline": policy.late_cancel_deadline(appointment),
    }
    return render(request, "booking/manage.html", context)
