# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 EDGEGUARD_VAR_DIR=/var/lib/edgeguard
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app edgeguard && mkdir -p /var/lib/edgeguard && chown edgeguard /var/lib/edgeguard
USER edgeguard
EXPOSE 8000
CMD ["gunicorn", "dashboard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
