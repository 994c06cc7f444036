# Production image of the ISMS portal: one image for web (gunicorn), worker, beat and migrate.
# Build: docker build -t isms-portal .   (docker-compose.yml builds it for every app service)
# Uses only classic-builder features (no BuildKit mounts), so docker-compose 1.x builds it too.

# --- Python dependencies, installed by uv from the lock file into /app/.venv
FROM python:3.11-slim-bookworm AS builder

# The uv release the lock file was written with; override with --build-arg UV_VERSION=...
ARG UV_VERSION=0.13.9
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install "uv==${UV_VERSION}"

WORKDIR /app
COPY pyproject.toml uv.lock ./
# Dependencies only (the project is not a package): this layer changes only with the lock.
RUN uv sync --frozen --no-dev --no-install-project


# --- Front-end packages from npm, copied into static/vendor/ (never committed, no CDN)
FROM node:20-bookworm-slim AS assets

WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/vendor.mjs scripts/vendor.mjs
# --omit=dev: dev packages (Azurite for the tests) are not needed to vendor the assets.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && npm run vendor


# --- Runtime: the venv, the app and the vendored assets; no compilers, no build tools
FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/app/.venv \
    PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=isms.settings

# pg_dump/pg_restore for backups. Debian bookworm ships PostgreSQL 15 client tools; a
# PostgreSQL 16 server needs 16's (the pgserver wheel in the venv carries 16's binaries):
# pick the binaries by asking the server its version (ARCHITECTURE.md, pitfall 9).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --gid 10001 isms \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin isms

WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
# The app (see .dockerignore for what stays out), then the vendored front-end files.
COPY . .
COPY --from=assets /app/static/vendor /app/static/vendor

# Static files are collected at build into .data/staticfiles (served by WhiteNoise).
# Settings refuse to load without secrets, so dummy values exist for this one command
# only; DATABASE_URL keeps the embedded pgserver from starting (collectstatic never
# connects). Settings also create .data/celery for the filesystem broker: removed, as
# the containers use Redis. Code and static files stay root-owned and read-only to the
# app user, who may only create entries in .data/ (e.g. media when no Azure is set).
RUN SECRET_KEY=build-only-not-a-secret \
    ISMS_MASTER_KEY=build-only-not-a-secret \
    DATABASE_URL=postgres://x@localhost/x \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /app/.data/celery \
    && chown 10001:10001 /app/.data

USER 10001:10001

EXPOSE 8000

# /healthz answers on the public host (and tenant hosts) and is exempt from the HTTPS
# redirect; the Host header must be one the portal serves, i.e. BASE_DOMAIN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(urllib.request.Request('http://localhost:8000/healthz', headers={'Host': os.environ.get('BASE_DOMAIN', 'localhost')}), timeout=4)"]

CMD ["gunicorn", "isms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "isms.gunicorn.Logger"]
