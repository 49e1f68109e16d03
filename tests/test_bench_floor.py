"""The benchmark's floor (bench/floor/) is never part of the product."""

from django.urls import URLPattern, URLResolver, get_resolver


def _views(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = entry.callback
            yield getattr(view, "view_class", view)


def test_the_products_urls_reach_nothing_of_the_floor():
    modules = {view.__module__ for view in _views(get_resolver("practice.urls").url_patterns)}
    assert modules  # the walk found the product's views
    assert not [m for m in modules if m.startswith("bench")]


def test_the_floor_is_not_reachable_by_its_path(client, db):
    assert client.post("/floor/book/", {}, content_type="application/json").status_code == 404
    assert client.get("/floor/slots/?therapist=1").status_code == 404


def test_the_floors_own_urlconf_has_its_two_views():
    from bench.floor.views import FloorBookApi, FloorSlotListApi

    views = set(_views(get_resolver("bench.floor.urls").url_patterns))
    assert views == {FloorBookApi, FloorSlotListApi}
