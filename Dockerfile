# syntax=docker/dockerfile:1
# campaign-mock in a container, serving every vendor on port 8750 on all interfaces:
#
#   docker build -t campaign-mock .
#   docker run --rm -p 8750:8750 -e CAMPAIGN_MOCK_ADMIN_TOKEN=change-me campaign-mock
#
# Served on 0.0.0.0, the admin API needs a token: the server reads it from CAMPAIGN_MOCK_ADMIN_TOKEN and refuses
# to start without one. It is never baked into the image. Other commands run the same way:
# `docker run --rm -v "$PWD:/work" -w /work campaign-mock check my-scenario.yaml`.

# Build the wheels (the package's and its dependencies') apart, so that the image holds no build tools or caches.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels campaign-mock \
    && useradd --create-home --uid 10001 --user-group mock
USER mock
WORKDIR /home/mock
EXPOSE 8750
# /__admin/health answers without the admin token: a liveness probe needs no secret.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8750/__admin/health', timeout=2)"]
ENTRYPOINT ["campaign-mock"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8750"]
