# The source-usage connector image: `docker run --rm airbyte/source-usage:0.1.0 spec`.
# BASE_IMAGE defaults to the base Airbyte's own Python 3.11 connectors pin in their metadata.yaml;
# `make image` passes a stand-in built offline from Debian packages (.ci/base-image). Nothing else differs:
# both bases have Python 3.11, and the connector goes into its own venv on either.
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

# The first stage builds the wheel from the package's own files (.dockerignore lets in nothing else).
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN python3 -m venv /opt/build \
    && /opt/build/bin/pip install --no-cache-dir --disable-pip-version-check --quiet -c constraints.txt build \
    && /opt/build/bin/python -m build --wheel --outdir /dist .

# The second stage installs that wheel alone, with the pins of constraints.txt, as a user's `pip install` would;
# the sandbox's command goes, as its package was never in the build context.
FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/source-usage/bin:$PATH
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /dist/ /tmp/dist/
RUN python3 -m venv /opt/source-usage \
    && /opt/source-usage/bin/pip install --quiet -c /tmp/constraints.txt /tmp/dist/*.whl \
    && /opt/source-usage/bin/pip uninstall --quiet --yes pip \
    && rm -f /opt/source-usage/bin/usage-sandbox \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && (getent passwd airbyte >/dev/null || useradd --uid 1000 --user-group --create-home airbyte)
USER airbyte
WORKDIR /home/airbyte
ENV AIRBYTE_ENTRYPOINT="source-usage"
ENTRYPOINT ["source-usage"]
LABEL io.airbyte.name=airbyte/source-usage \
      io.airbyte.version=0.1.0
