# Production image: Debian's GDAL/GEOS/PROJ for GeoDjango, the ASGI app (HTTP and WebSockets) under uvicorn.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin libgdal32 gettext nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir -e '.[s3]' \
    && if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && node build.mjs; fi
RUN bin/compilemessages && DEBUG=1 python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["uvicorn", "geoplatform.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--ws", "websockets-sansio", "--lifespan", "off", "--proxy-headers"]
