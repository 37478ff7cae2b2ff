# The source-usage connector image: `docker run --rm airbyte/source-usage:0.1.0 spec`.
# The first stage builds the wheel from the project, the second installs that wheel alone with the
# pinned dependencies from constraints.txt, so the image holds what a user's `pip install` would get.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir --disable-pip-version-check -c constraints.txt build \
    && python -m build --wheel --outdir /dist .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /dist/ /tmp/dist/
RUN pip install -c /tmp/constraints.txt /tmp/dist/*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && useradd --create-home --uid 1000 airbyte
USER airbyte
WORKDIR /home/airbyte
ENV AIRBYTE_ENTRYPOINT="source-usage"
ENTRYPOINT ["source-usage"]
LABEL io.airbyte.name=airbyte/source-usage \
      io.airbyte.version=0.1.0
