"""Staff users with roles, signed in the way the app signs them in (password + TOTP device)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import StaffMember, StaffRole
from tests.factories import TherapistFactory, UserFactory


def make_staff(practice, role: str, *, therapist=None, two_factor: bool = True, **user_fields):
    """A user with ``role`` at ``practice`` (a therapist role gets a Therapist record)."""
    if role == StaffRole.THERAPIST:
        therapist = therapist or TherapistFactory(practice=practice)
        user = therapist.user
    else:
        user = UserFactory(**user_fields)
    StaffMember.objects.create(practice=practice, user=user, role=role)
    if two_factor:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def sign_in(client, user):
    """Signed in with password and, if the user has one, their authenticator device."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
