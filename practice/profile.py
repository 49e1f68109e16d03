"""The staff page where a therapist (or the owner, for any therapist) sets what clients
read when choosing whom to see: photo, short bio, in person / video, languages."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from practice.access import staff_required
from practice.models import Therapist, VideoProvider
from practice.parsing import int_or_none
from practice.services import therapist_profile_update, therapist_telehealth_update

TELEHEALTH_FIELDS = (
    "video_provider",
    "video_room_url",
    "licence_jurisdictions",
    "compact_jurisdictions",
)


class ProfileForm(forms.ModelForm):
    photo_upload = forms.FileField(
        required=False,
        label="Photo",
        help_text="A JPEG, PNG or WebP image. It is cropped to a square and its "
        "metadata (camera, place, time) removed.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove the photo")
    video_room_url = forms.URLField(
        required=False,
        max_length=300,
        assume_scheme="https",
        label="Personal video room",
        help_text=Therapist._meta.get_field("video_room_url").help_text,
    )

    class Meta:
        model = Therapist
        fields = [
            "bio",
            "languages",
            "sees_in_person",
            "sees_by_video",
            "video_provider",
            "video_room_url",
            "licence_jurisdictions",
            "compact_jurisdictions",
        ]
        labels = {
            "bio": "Short bio",
            "sees_in_person": "In person",
            "sees_by_video": "By video",
            "video_provider": "Video link",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5, "maxlength": 600})}

    def clean(self):
        data = super().clean()
        if not data.get("sees_in_person") and not data.get("sees_by_video"):
            raise ValidationError("Tick at least one: in person or by video.")
        if data.get("video_provider") == VideoProvider.PERSONAL_ROOM and not data.get(
            "video_room_url"
        ):
            self.add_error("video_room_url", "Give your room's address, or choose another link.")
        return data


def _may_edit(context) -> bool:
    return context.is_owner or context.is_therapist


def _therapist(request) -> Therapist:
    staff = request.staff
    if staff.is_therapist:
        return staff.therapist
    therapists = Therapist.objects.filter(practice=staff.practice, is_active=True)
    wanted = int_or_none(request.GET.get("therapist") or "")
    found = therapists.filter(pk=wanted).first() if wanted else None
    if wanted and found is None:
        raise Http404("No such therapist.")
    return found or therapists.order_by("display_name").first()


@never_cache
@staff_required(allow=_may_edit)
def therapist_profile(request: HttpRequest) -> HttpResponse:
    therapist = _therapist(request)
    if therapist is None:
        raise Http404("No therapist yet.")
    form = ProfileForm(request.POST or None, request.FILES or None, instance=therapist)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo_upload"]
        try:
            therapist_profile_update(
                therapist=therapist,
                bio=form.cleaned_data["bio"],
                languages=form.cleaned_data["languages"],
                sees_in_person=form.cleaned_data["sees_in_person"],
                sees_by_video=form.cleaned_data["sees_by_video"],
                # One byte past the limit at most: enough to tell a file too large.
                photo=upload.read(settings.PHOTO_MAX_BYTES + 1) if upload else None,
                remove_photo=form.cleaned_data["remove_photo"],
            )
            therapist_telehealth_update(
                therapist=therapist,
                **{name: form.cleaned_data[name] for name in TELEHEALTH_FIELDS},
            )
        except ValidationError as exc:
            form.add_error("photo_upload", exc)
        else:
            messages.success(request, "Saved: the booking pages show it now.")
            url = reverse("staff-profile")
            if not request.staff.is_therapist:
                url += f"?therapist={therapist.pk}"
            return redirect(url)
    others = None
    if not request.staff.is_therapist:
        others = Therapist.objects.filter(practice=request.staff.practice, is_active=True)
    context = {"form": form, "therapist": therapist, "others": others, "nav": "profile"}
    return render(
        request, "staff/therapist_profile.html", context, status=400 if form.errors else 200
    )
