# syntax=docker/dockerfile:1
# ghcr.io/uc-cdis/dcoc-control: the control service artifact (npm run build:server)
# with its production dependencies only, run as uid 65532 on a read-only root
# filesystem; only /var/lib/dcoc (DCOC_DATA_DIR), /tmp and, when
# DCOC_DASHBOARDS_DIR points there, /var/lib/dcoc-dashboards are written.
#
#   docker build -f deploy/docker/dcoc-control.Dockerfile -t ghcr.io/uc-cdis/dcoc-control:0.2.0 .
#   docker run --read-only --tmpfs /tmp -v dcoc:/var/lib/dcoc -p 8470-8472:8470-8472 ghcr.io/uc-cdis/dcoc-control:0.2.0
#
# Base images are pinned by exact tag (node 20.20.2, the version the tests run
# on, on Debian 12). Pin them by digest as well where the registry can be
# reached: docker buildx imagetools inspect node:20.20.2-bookworm-slim.

FROM node:20.20.2-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: the build only bundles; better-sqlite3 is built below, in the artifact.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:server
WORKDIR /src/dist-server/dcoc-control
# Production dependencies only, at the lockfile's versions (better-sqlite3 uses a
# prebuilt binary or compiles with this stage's toolchain, for this stage's glibc, which the runtime shares).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20.20.2-bookworm-slim AS runtime
ARG VERSION=0.2.0
LABEL org.opencontainers.image.title="dcoc-control" \
      org.opencontainers.image.description="Gen3 Data Commons Operations Center: the control service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/uc-cdis/gen3-dcoc" \
      org.opencontainers.image.vendor="University of Chicago, Center for Translational Data Science"
# git: DCOC_GITOPS_REPO commits revisions with it. postgresql-client: pg_dump and
# pg_restore for `dcoc-control backup`/`restore` on PostgreSQL (Debian 12's, 15;
# a newer server needs its own major version of pg_dump). npm, npx, corepack and
# yarn are removed: nothing here installs packages at run time.
# DL3008: the base tag pins the Debian release; its security pocket keeps one
# version of each package, so pinned versions would stop building at the next update.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && groupadd --gid 65532 dcoc \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin dcoc \
 && mkdir -p /var/lib/dcoc /var/lib/dcoc-dashboards \
 && chown 65532:65532 /var/lib/dcoc /var/lib/dcoc-dashboards \
 && chmod 0700 /var/lib/dcoc
# Owned by root, not writable by the service.
COPY --from=build --chown=0:0 /src/dist-server/dcoc-control /app
WORKDIR /app
ENV NODE_ENV=production \
    PATH=/app/bin:$PATH \
    DCOC_DATA_DIR=/var/lib/dcoc \
    DCOC_HTTP_ADDR=0.0.0.0:8470 \
    DCOC_GRPC_ADDR=0.0.0.0:8471 \
    DCOC_ENROLL_ADDR=0.0.0.0:8472
# /var/lib/dcoc-dashboards is no VOLUME: a volume is mounted there only when dashboards are generated (DCOC_DASHBOARDS_DIR);
# being the service's, a new named volume mounted there is the service's too.
VOLUME ["/var/lib/dcoc"]
# HTTP API, agent gateway (mutual TLS), enrollment (server TLS).
EXPOSE 8470 8471 8472
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.DCOC_HTTP_ADDR||'').split(':').pop()||'8470';fetch('http://127.0.0.1:'+p+'/readyz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/dcoc-control"]
CMD ["serve"]
