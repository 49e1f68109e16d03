from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Booking"

    def ready(self) -> None:
        from booking.notify import email_events  # noqa: F401 (connects the provider webhook's signal)
