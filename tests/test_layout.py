"""The split of booking/ by job keeps what a running deployment refers to by name."""

from django.test import override_settings

from booking.notify import sms
from practice.celery import app

OLD_TASK_NAMES = {
    "booking.tasks.send_notification",
    "booking.tasks.dispatch_due_notifications",
    "booking.tasks.schedule_daily_agendas",
    "booking.tasks.release_expired_holds",
    "booking.tasks.release_unconfirmed_bookings",
}


def test_celery_tasks_keep_the_names_queued_messages_and_beat_use():
    app.loader.import_default_modules()
    assert set(app.tasks) >= OLD_TASK_NAMES


def test_the_beat_schedule_names_registered_tasks(settings):
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@override_settings(SMS_BACKEND="booking.sms.LocmemBackend")
def test_an_sms_backend_setting_from_before_the_split_still_loads():
    assert isinstance(sms.get_backend(), sms.LocmemBackend)


@override_settings(SMS_BACKEND="booking.notify.sms.LocmemBackend")
def test_the_new_sms_backend_path_loads():
    assert isinstance(sms.get_backend(), sms.LocmemBackend)


def test_no_module_imports_itself_through_others():
    """No import circle between any two modules of the three apps (function-level
    imports included), on top of .importlinter's per-package contracts."""
    import grimp

    graph = grimp.build_graph("practice", "booking", "clients")
    modules = {m for m in graph.modules if ".migrations" not in m}
    circles = [
        (module, other)
        for module in sorted(modules)
        for other in graph.find_modules_directly_imported_by(module) & modules
        if other != module and graph.chain_exists(importer=other, imported=module)
    ]
    assert circles == []
