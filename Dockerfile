# syntax=docker/dockerfile:1
# Node 24, the active LTS, pinned to a release so that a rebuild gets the same runtime; bump it with each
# Node security release (test/packaging checks that its major is an even, supported one and both stages agree).
ARG NODE_IMAGE=node:24.22.3-alpine

# Build stage: compile TypeScript and generate types from the JSON schemas, then drop dev dependencies. One
# step per RUN, so a failure stops the build at the step that broke.
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json spec.json destination-spec.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN npm run build
RUN test -x dist/bin/source-klaviyo-consent.js
RUN npm prune --omit=dev --no-audit --no-fund

# Runtime stage: node, tini, the compiled code and runtime dependencies only. The code belongs to root and is
# read-only to the airbyte user that runs it; the connector writes no files.
FROM ${NODE_IMAGE}
# tini as PID 1: it forwards SIGTERM to node and reaps, so a cancelled sync stops at once (exit 143) instead of
# waiting out the platform's grace period for a SIGKILL.
RUN apk add --no-cache tini && addgroup -S airbyte && adduser -S -G airbyte -h /airbyte airbyte
WORKDIR /airbyte/integration_code
COPY --from=build /build/package.json /build/spec.json /build/destination-spec.json ./
COPY --from=build /build/schemas ./schemas
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
ENV NODE_ENV=production
# The same V8 memory flags as the bin's shebang: memory stays near 130 MB however large the account.
ENV AIRBYTE_ENTRYPOINT="/sbin/tini -- /usr/local/bin/node --max-old-space-size=128 --max-semi-space-size=4 /airbyte/integration_code/dist/bin/source-klaviyo-consent.js"
ENTRYPOINT ["/sbin/tini", "--", "/usr/local/bin/node", "--max-old-space-size=128", "--max-semi-space-size=4", "/airbyte/integration_code/dist/bin/source-klaviyo-consent.js"]
LABEL io.airbyte.name=source-klaviyo-consent/source-klaviyo-consent
LABEL io.airbyte.version=0.1.0
USER airbyte
