# The production image: gunicorn for the web, the same image for the Celery worker and beat
# (docker-compose.yml). The build stage installs requirements.txt, each wheel checked against its hash, into
# a virtualenv and builds the static manifest; the final stage copies both onto a clean slim base and runs
# as an unprivileged user. devtools/ and tests/ stay out (.dockerignore): the product runs without them.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/edgeguard
COPY requirements.txt /tmp/requirements.txt
# Wheels only: nothing is compiled here, and nothing unpinned or unhashed gets in.
RUN /opt/edgeguard/bin/pip install --require-hashes --only-binary=:all: -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# The manifest storage's hashed, compressed copies under /app/var/staticfiles (without them every page is a
# 500). The settings need a SECRET_KEY to load; the memory broker keeps var/ free of broker folders.
RUN SECRET_KEY=collectstatic-only EDGEGUARD_VAR_DIR=/app/var CELERY_BROKER_URL=memory:// \
        /opt/edgeguard/bin/python manage.py collectstatic --noinput \
    && /opt/edgeguard/bin/python -m compileall -q dashboard distributions gunicorn.conf.py

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/edgeguard/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    EDGEGUARD_VAR_DIR=/app/var PORT=8000
RUN groupadd --system --gid 10001 edgeguard \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin edgeguard
COPY --from=build /opt/edgeguard /opt/edgeguard
COPY --from=build /app /app
# The code and the static files stay root's, read-only to the app; var/ takes beat's schedule file.
RUN chown edgeguard:edgeguard /app/var
WORKDIR /app
# Numeric, so a runtime (Kubernetes runAsNonRoot, say) can tell it is not root.
USER 10001:10001
EXPOSE 8000
# Liveness of the web server; docker-compose.yml gives worker and beat their own probes, web /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "dashboard.probe", "http", "/healthz"]
CMD ["gunicorn", "dashboard.wsgi"]
