"""The Undo button a success message may carry (a change staff can take back for a few
seconds): the message's tags hold "undo <action path> <event id>"."""

from django import template

register = template.Library()


@register.filter
def undo_offer(message) -> dict | None:
    """{{ message|undo_offer }}: {"action": path, "event": id}, or None."""
    parts = (getattr(message, "extra_tags", "") or "").split()
    if len(parts) != 3 or parts[0] != "undo" or not parts[1].startswith("/staff/"):
        return None
    return {"action": parts[1], "event": parts[2]}
