"""PHQ-9 and GAD-7 scored against the published bands (Kroenke 2001; Spitzer 2006)."""

import pytest

from clients.intake import screeners

# Published severity bands: (lowest, highest, name).
PHQ9_PUBLISHED = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately severe"),
    (20, 27, "severe"),
]
GAD7_PUBLISHED = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]


def items_totalling(total: int, count: int) -> list[int]:
    items = []
    for _ in range(count):
        take = min(3, total)
        items.append(take)
        total -= take
    assert total == 0
    return items


@pytest.mark.parametrize(
    ("spec", "published"), [(screeners.PHQ9, PHQ9_PUBLISHED), (screeners.GAD7, GAD7_PUBLISHED)]
)
def test_every_total_lands_in_its_published_band(spec, published):
    for low, high, name in published:
        for total in (low, high):
            result = screeners.score(spec, items_totalling(total, len(spec.items)))
            assert (result["score"], result["band"]) == (total, name)


def test_the_measures_have_the_published_number_of_items():
    assert (len(screeners.PHQ9.items), screeners.PHQ9.max_score) == (9, 27)
    assert (len(screeners.GAD7.items), screeners.GAD7.max_score) == (7, 21)
    assert "better off dead" in screeners.PHQ9.items[8]


@pytest.mark.parametrize("items", [[0] * 8, [0] * 8 + [None], [0] * 8 + [4], [0] * 10])
def test_an_incomplete_or_out_of_range_answer_is_not_scored(items):
    with pytest.raises(screeners.IncompleteMeasure):
        screeners.score(screeners.PHQ9, items)


def test_item_nine_is_positive_above_not_at_all_even_before_the_rest_is_answered():
    assert not screeners.self_harm_positive([None] * 9)
    assert not screeners.self_harm_positive([3] * 8 + [0])
    assert screeners.self_harm_positive([None] * 8 + [1])
    assert screeners.self_harm_positive([0] * 8 + [3])
