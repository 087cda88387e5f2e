# Sluice production image: one image for every process (web, worker, scheduler,
# amqp, migrate); docker-compose.yml picks the command.
#
#   docker build -t sluice .
#
# Stage 1 builds the designer (React + Vite) into frontend/dist; stage 2 is the
# Python runtime, which serves those files through whitenoise after
# `collectstatic` (run by the compose `migrate` service into the data volume).

FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    SLUICE_DATA_DIR=/data
WORKDIR /app
# Dependencies first (cached while only the sources change).
COPY pyproject.toml README.md ./
RUN mkdir -p config workflows connectors broker accounts \
    && touch config/__init__.py workflows/__init__.py connectors/__init__.py \
       broker/__init__.py accounts/__init__.py \
    && pip install . \
    && pip uninstall -y sluice \
    && rm -rf config workflows connectors broker accounts build *.egg-info
COPY . .
COPY --from=frontend /src/frontend/dist ./frontend/dist
RUN pip install --no-deps . \
    && groupadd --system sluice && useradd --system --gid sluice --home-dir /app sluice \
    && mkdir -p /data && chown sluice:sluice /data
USER sluice
VOLUME ["/data"]
EXPOSE 8000 5672
# The web process; docker-compose.yml overrides the command for the others.
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "4", "--timeout-graceful-shutdown", "30", "--proxy-headers", \
     "--forwarded-allow-ips", "*"]
