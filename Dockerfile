# Sales Pulse as a container image. Build from the repository root:
#   docker build -t sales-pulse .
# It runs `python -m bot`: long polling, or the webhook when WEBHOOK_URL is set (see
# docs/deploy.md and deploy/compose.yaml). No settings or secrets are baked in: pass them as
# environment variables at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    HTTP_HOST=0.0.0.0

WORKDIR /app

# Dependencies first, in their own layer: a change to the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The packages pyproject.toml lists. The bot runs from /app (the WORKDIR), which is also
# where it finds alembic.ini and the migration scripts it applies at start.
COPY alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY scheduler ./scheduler
COPY domain ./domain
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps . \
    && groupadd --system --gid 10001 sales-pulse \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home sales-pulse \
    && install -d -o sales-pulse -g sales-pulse -m 0700 /app/data

# Not root. The code stays root-owned and read-only to the bot; it writes only to /app/data
# (the SQLite file, when DATABASE_URL is left at its default; mount a volume there).
USER 10001:10001

# The HTTP server (webhook, /healthz, /metrics) when WEBHOOK_URL or HTTP_PORT is set.
EXPOSE 8080
CMD ["python", "-m", "bot"]
