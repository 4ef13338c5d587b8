"""The portal's settings for `make bench`: its URLs plus the floor view, and a query counter.

Everything else (DEBUG, SECRET_KEY, DATABASE_URL, ...) comes from the environment exactly as in
production; `bench/run.py` sets it.
"""

from mpf_portal.settings import *  # noqa: F403
from mpf_portal.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
