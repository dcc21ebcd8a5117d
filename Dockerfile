FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 VAR_DIR=/var/lib/inclusion
WORKDIR /app

# WeasyPrint (the attestations' PDF) lays text out with Pango; DejaVu is the font the PDFs name.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN useradd --system --home /app inclusion \
    && mkdir -p /var/lib/inclusion \
    && mkdir -p /var/lib/inclusion/journal-anchors \
    && DEBUG=1 CELERY_TASK_ALWAYS_EAGER=1 python manage.py collectstatic --noinput \
    && chown -R inclusion /var/lib/inclusion
USER inclusion

EXPOSE 8000
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
