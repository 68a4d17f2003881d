# Voronka in a container (README.md, "Running in production"): `docker compose up` runs it with PostgreSQL
# and Redis (compose.yaml); alone it runs on SQLite in the /data volume:
#   docker build -t voronka . && docker run --env-file .env -v voronka-data:/data -p 8080:8080 voronka
# tests/packaging/test_docker_files.py checks what matters here without a Docker engine.

# Stage 1: the wheel, built from the sources (the same wheel tests/packaging/test_wheel.py installs).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY domain ./domain
COPY storage ./storage
COPY locales ./locales
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: the wheel installed with the versions the tests passed with, run as a user without rights.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DATABASE_URL=sqlite+aiosqlite:////data/voronka.db \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --constraint /tmp/constraints.txt /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels /tmp/constraints.txt \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/voronka voronka \
    && mkdir -p /data \
    && chown voronka:voronka /data
# The database (SQLite), and ./backups of `voronka backup`: the working folder is the volume.
VOLUME ["/data"]
WORKDIR /data
USER voronka
# /healthz and /metrics (README.md, "Health and metrics"), and the webhook and the website's leads.
EXPOSE 8080
# No curl in the slim image: Python asks. A 503 (or no answer) raises, and the check fails.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)"]
CMD ["voronka"]
