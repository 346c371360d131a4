"""The product's settings, unchanged but for the URLs: the bare insert view of the benchmark is added
(``scripts/bench_urls.py``). ``scripts/bench_http.py`` serves gunicorn with
``DJANGO_SETTINGS_MODULE=bench_settings`` and ``scripts/`` on the Python path; nothing else uses it."""

from __future__ import annotations

from xinfang.settings import *  # noqa: F403  (the same configuration as production, on purpose)

ROOT_URLCONF = "bench_urls"
