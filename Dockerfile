# syntax=docker/dockerfile:1
# One image for the three kgw products; the command picks one (docs/deploy.md, "Container image"):
#
#   docker build -t kgw:dev .
#   docker run --rm -v "$PWD/deploy/compose/config:/etc/kgw:ro" kgw:dev gateway --config /etc/kgw/gateway-east.yaml
#   docker run ... kgw:dev mirror --config /etc/kgw/mirror.yaml
#   docker run ... kgw:dev monitor --config /etc/kgw/monitor.yaml
#
# Configuration and certificates are mounted (/etc/kgw); passwords come from the environment or
# mounted files through ${env:VAR} / ${dir:/dir:file} references in the configuration. Nothing
# secret is in the image: .dockerignore admits only the sources, the lock file and this folder.
# test/unit/deploy/image.test.ts runs this file's stages on a checkout (no Docker engine needed)
# and starts every command from the resulting runtime tree.

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only. The native codecs (snappy, lz4, zstd) come as prebuilt packages
# for the platform being built; no install script is needed (protobufjs' only prints a notice).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# TypeScript -> dist/, for the runtime folders only (no tests, benchmarks or dashboards-as-code).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY cli ./cli
COPY config ./config
COPY client ./client
COPY gateway ./gateway
COPY mirror ./mirror
COPY mm2 ./mm2
COPY observability ./observability
COPY monitor ./monitor
COPY protocol ./protocol
COPY security ./security
COPY security-audit ./security-audit
COPY deploy/kafka ./deploy/kafka
RUN npx tsc -p tsconfig.json

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY deploy/image/healthcheck.mjs ./healthcheck.mjs
RUN chmod 0755 dist/cli/kgw.js \
 && ln -s /app/dist/cli/kgw.js /usr/local/bin/kgw \
 && mkdir -p /etc/kgw /var/lib/kgw \
 && chown node:node /var/lib/kgw
# The official Node image's unprivileged user (uid 1000); every port kgw uses is above 1024.
USER node
WORKDIR /var/lib/kgw
# Gateway: bootstrap 9192 and brokers from brokerPortBase (9200+), HTTP 9404.
# Mirror: REST and /metrics 8083. Monitor: HTTP 9308.
EXPOSE 9192 9404 8083 9308
# KGW_HEALTH_URL names the product's readiness endpoint (default: the gateway's).
ENV KGW_HEALTH_URL=http://127.0.0.1:9404/readyz
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["kgw"]
CMD ["--help"]
