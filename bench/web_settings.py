"""The portal's own settings for `make bench-web`, with one change: static files are collected
into the benchmark's temporary folder (BENCH_STATIC_ROOT), not the shared var/staticfiles that
`make serve` uses, so a benchmark run neither depends on nor disturbs anyone's collected files.
Everything else, production checks included, is hackney_portal.settings as it is."""

import os

from hackney_portal.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
