# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and generate types from the JSON schemas, then drop dev dependencies.
FROM node:20-alpine AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json spec.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
# npm ci runs the prepare script, which builds dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: node, the compiled code and runtime dependencies only.
FROM node:20-alpine
RUN addgroup -S airbyte && adduser -S -G airbyte -h /airbyte airbyte
WORKDIR /airbyte/integration_code
COPY --from=build /build/package.json /build/spec.json ./
COPY --from=build /build/schemas ./schemas
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
# Airbyte mounts config, catalog and state files under /airbyte and the connector may write there.
RUN chown -R airbyte:airbyte /airbyte
ENV NODE_ENV=production
# The same V8 memory flags as the bin's shebang: memory stays near 130 MB however large the account.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node --max-old-space-size=128 --max-semi-space-size=4 /airbyte/integration_code/dist/bin/source-klaviyo-consent.js"
ENTRYPOINT ["/usr/local/bin/node", "--max-old-space-size=128", "--max-semi-space-size=4", "/airbyte/integration_code/dist/bin/source-klaviyo-consent.js"]
LABEL io.airbyte.name=source-klaviyo-consent/source-klaviyo-consent
LABEL io.airbyte.version=0.1.0
USER airbyte
