# MPF Portal: one image for the web process (gunicorn, the default command), the Celery
# worker and the one-shot migration (docker-compose.yml gives each its command).
# Pinned to bookworm, whose package names below were checked; `python:3.11-slim` alone
# follows whatever Debian release is current.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# WeasyPrint's system libraries (PDF editions), a base font, and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files are collected into the image. DEBUG=0 selects the hashed, compressed storage
# that the running image serves; the key is a throw-away for this step only, not in the image.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-not-a-secret python manage.py collectstatic --noinput
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-not-a-secret python manage.py compilemessages --ignore=.venv

# Runs as an unprivileged user. /data/media belongs to it, so a named volume mounted
# there starts out writable by it.
RUN groupadd --system --gid 10001 mpf \
    && useradd --system --uid 10001 --gid mpf --home-dir /home/mpf --create-home mpf \
    && mkdir -p /data/media \
    && chown mpf:mpf /data/media
USER mpf

EXPOSE 8000

# /healthz answers 200 while the database answers. The Host header is the first of
# ALLOWED_HOSTS (a leading "." or "*" stripped), so that the request passes host validation.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.*') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"]

# gunicorn reads the number of workers from WEB_CONCURRENCY (3 unless set at run time). A request
# still running after 30 s is cut off (--timeout): long work (PDFs, imports, large exports, the public
# IATI file) runs in the Celery worker, so no page may need that long.
CMD ["gunicorn", "mpf_portal.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "30", "--graceful-timeout", "30", "--access-logfile", "-"]
