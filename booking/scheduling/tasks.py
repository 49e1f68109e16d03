"""Beat tasks that free times nobody took up; thin wrappers around the booking services.

They keep the names they were registered under in ``booking.tasks`` (the beat
schedule of a running deployment refers to them by name).
"""

from celery import shared_task

from booking.scheduling import services


@shared_task(name="booking.tasks.release_expired_holds", ignore_result=True)
def release_expired_holds() -> int:
    return services.holds_release_expired()


@shared_task(name="booking.tasks.release_unconfirmed_bookings", ignore_result=True)
def release_unconfirmed_bookings() -> int:
    """Every 5 minutes (beat): free the times of public bookings nobody confirmed."""
    return services.bookings_release_unconfirmed()
