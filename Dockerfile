# Production image: gunicorn serves the app and its static files (WhiteNoise);
# the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (cached layer): read from pyproject.toml, the app is not installed.
COPY pyproject.toml /app/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . /app
RUN useradd --system --uid 10001 --home /app rehab \
    && REHAB_PROFILE=production SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
       python manage.py collectstatic --noinput \
    && chown -R rehab /app/staticfiles

USER rehab
EXPOSE 8000
# gunicorn.conf.py: one worker per core, bound to 0.0.0.0:8000, access log on stdout.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
