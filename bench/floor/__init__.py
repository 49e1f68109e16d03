"""The framework's floor for the side-by-side benchmark (bench/side_by_side.sh).

A separate Django project on the same stack (Django, DRF, psycopg 3, gunicorn):
its own settings, URLconf and table, importing nothing of the product. The
product's URLconf never includes it (tests/test_bench_floor.py).
"""
