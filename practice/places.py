"""Where a session takes place, as clients read it on pages and in emails (one rule).

In person: the practice's address, with a link to an OpenStreetMap search for
it (a plain link: no embedded map, no third-party script on our pages). A
telehealth session type: by video, the link sent before the session.
"""

from dataclasses import dataclass
from urllib.parse import quote_plus

from practice.models import Modality

MAP_SEARCH = "https://www.openstreetmap.org/search?query="
VIDEO = "By video: the link arrives by email before your session."


@dataclass(frozen=True)
class Place:
    video: bool
    address: str = ""

    @property
    def map_url(self) -> str:
        return MAP_SEARCH + quote_plus(self.address) if self.address else ""


def session_place(*, session_type, practice) -> Place:
    if session_type.modality == Modality.TELEHEALTH:
        return Place(video=True)
    return Place(video=False, address=" ".join(practice.address.split()))
