"""Practice owners hold every model permission (the admin is theirs; see practice.access)."""

from django.contrib.auth.backends import BaseBackend

from practice.models import StaffMember, StaffRole


class PracticeOwnerBackend(BaseBackend):
    """Authenticates nobody; answers "yes" to every permission check for an active owner."""

    def _is_owner(self, user) -> bool:
        if not user.is_active or user.is_anonymous:
            return False
        if not hasattr(user, "_practice_owner"):
            user._practice_owner = StaffMember.objects.filter(
                user=user, role=StaffRole.OWNER
            ).exists()
        return user._practice_owner

    def has_perm(self, user_obj, perm, obj=None):
        return self._is_owner(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return self._is_owner(user_obj)
