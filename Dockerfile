# The source-usage connector image: `docker run --rm airbyte/source-usage:0.1.0 spec`.
# BASE_IMAGE defaults to the base Airbyte's own Python 3.11 connectors pin in their metadata.yaml;
# `make image` passes a stand-in built offline from Debian packages (.ci/base-image). Nothing else differs:
# both bases have Python 3.11, and the connector goes into its own venv on either.
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

# The first stage builds the wheel from the package's own files (.dockerignore lets in nothing else) and turns
# uv.lock into the list of the connector's dependencies, each with its version and hashes. Its uv is the release
# pyproject.toml's [tool.uv] required-version pins.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY . .
ENV UV_PYTHON_DOWNLOADS=never
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check --quiet "uv$(python3 -c \
        'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["uv"]["required-version"])')" \
    && /opt/uv/bin/uv build --quiet --no-cache --wheel --out-dir /dist . \
    && /opt/uv/bin/uv export --quiet --frozen --no-dev --no-emit-project --output-file /dist/requirements.txt

# The second stage installs exactly those dependencies, then the wheel alone, into a venv without pip; uv and the
# wheel are mounted from the first stage, never copied into a layer. The sandbox's command goes, as its package
# was never in the build context.
FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/source-usage/bin:$PATH
RUN --mount=type=bind,from=build,source=/opt/uv,target=/opt/uv \
    --mount=type=bind,from=build,source=/dist,target=/tmp/dist \
    export UV_PYTHON=/opt/source-usage/bin/python UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 UV_COMPILE_BYTECODE=1 \
    && python3 -m venv --without-pip /opt/source-usage \
    && /opt/uv/bin/uv pip sync --quiet /tmp/dist/requirements.txt \
    && /opt/uv/bin/uv pip install --quiet --no-deps /tmp/dist/*.whl \
    && rm -f /opt/source-usage/bin/usage-sandbox \
    && (getent passwd airbyte >/dev/null || useradd --uid 1000 --user-group --create-home airbyte)
USER airbyte
WORKDIR /home/airbyte
ENV AIRBYTE_ENTRYPOINT="source-usage"
ENTRYPOINT ["source-usage"]
LABEL io.airbyte.name=airbyte/source-usage \
      io.airbyte.version=0.1.0
