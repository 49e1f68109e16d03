"""One home for tying a field's help and error texts to its input (for screen readers).

``{{ field|described }}`` renders the widget with ``aria-describedby`` naming the
help and error paragraphs that ``_field.html`` draws (``<id>-help``,
``<id>-error``) and ``aria-invalid`` when the field has errors, for every form.
"""

from django import template

register = template.Library()


@register.filter
def described(field):
    attrs = {}
    ids = []
    if field.errors:
        attrs["aria-invalid"] = "true"
        ids.append(f"{field.auto_id}-error")
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
