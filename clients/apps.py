from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        # Booking reaches intake only through booking.hooks; it never imports clients.intake.
        from booking.hooks import IntakeHooks, register_intake
        from clients.intake import services, tokens

        register_intake(
            IntakeHooks(
                for_booking=services.intake_for_booking,
                needed_before_confirming=services.intake_needed_before_confirming,
                link=tokens.intake_link,
            )
        )
