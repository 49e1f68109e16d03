"""Therapists' photos: what an upload becomes, and how it is served.

An upload is decoded with Pillow and drawn again as a new JPEG: turned the way
its EXIF orientation says, cropped to a square around its centre, at most
``SIZE`` pixels a side, on white where it was transparent. Nothing of the
original file survives — no EXIF (camera, place, time), no ICC profile, no
comment, no trailing bytes — so an upload can neither leak where it was taken
nor smuggle a script. The stored name is the new file's digest.

Served by ``therapist_photo`` only while a therapist of the practice uses it,
as ``image/jpeg`` with ``nosniff`` and a CSP that allows nothing, cached for a
year (a changed photo has a new name).
"""

import hashlib
import io
import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps, UnidentifiedImageError

from practice.models import Therapist

SIZE = 400
FORMATS = ("JPEG", "PNG", "WEBP")
# Larger images are refused before being decoded (a small file can hold a huge image).
MAX_PIXELS = 40_000_000
NAME = re.compile(r"[0-9a-f]{32}\.jpg")
FOLDER = "therapists/"

_TOO_MANY_PIXELS = "That photo has too many pixels: at most 40 megapixels, please."
_UNREADABLE = "That file is not a photo we can read: upload a JPEG, PNG or WebP image."


def photo_normalise(data: bytes) -> bytes:
    """The upload ``data`` as a square JPEG of at most SIZE pixels, with no metadata."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        limit = settings.PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"That photo is too large: at most {limit} MB, please.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ValidationError(_UNREADABLE)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_TOO_MANY_PIXELS)
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValidationError(_TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_UNREADABLE) from exc
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    fitted = ImageOps.fit(image.convert("RGB"), (min(SIZE, *image.size),) * 2)
    # Drawn onto a new image: Pillow would carry the original's info (a JPEG
    # comment, an ICC profile) into the saved file.
    clean = Image.new("RGB", fitted.size)
    clean.paste(fitted)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def photo_name(data: bytes) -> str:
    return f"{FOLDER}{hashlib.sha256(data).hexdigest()[:32]}.jpg"


@require_GET
def therapist_photo(request: HttpRequest, name: str):
    if not NAME.fullmatch(name):
        raise Http404("No such photo.")
    path = FOLDER + name
    if not Therapist.objects.filter(photo=path, is_active=True).exists():
        raise Http404("No such photo.")
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError as exc:
        raise Http404("No such photo.") from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
