"""PHQ-9 and GAD-7: item texts, scoring and severity bands.

Both are in the public domain (developed by Drs. Spitzer, Williams, Kroenke and
colleagues with an educational grant from Pfizer; no permission is needed to
reproduce or use them). Pure functions, no database.
"""

from dataclasses import dataclass

STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

OPTIONS = [
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
]


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    title: str
    items: tuple[str, ...]
    # (lowest total in the band, band name), ascending
    bands: tuple[tuple[int, str], ...]

    @property
    def max_score(self) -> int:
        return 3 * len(self.items)


PHQ9 = MeasureSpec(
    code="phq9",
    title="PHQ-9",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or "
        "your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        (0, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
    ),
)

GAD7 = MeasureSpec(
    code="gad7",
    title="GAD-7",
    items=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
)

MEASURES = {spec.code: spec for spec in (PHQ9, GAD7)}

# PHQ-9 item 9 (thoughts of self-harm), zero-based.
SELF_HARM_ITEM = 8


class IncompleteMeasure(ValueError):
    pass


def band(spec: MeasureSpec, total: int) -> str:
    name = spec.bands[0][1]
    for lowest, band_name in spec.bands:
        if total >= lowest:
            name = band_name
    return name


def score(spec: MeasureSpec, items: list[int | None]) -> dict:
    """Total and severity band of a fully answered measure."""
    if len(items) != len(spec.items) or any(item not in (0, 1, 2, 3) for item in items):
        raise IncompleteMeasure(f"{spec.title} needs an answer from 0 to 3 for every item.")
    total = sum(items)
    return {"items": list(items), "score": total, "band": band(spec, total)}


def self_harm_positive(phq9_items: list[int | None]) -> bool:
    """Item 9 answered above "Not at all" — acted on even before the rest is answered."""
    return len(phq9_items) > SELF_HARM_ITEM and (phq9_items[SELF_HARM_ITEM] or 0) > 0
