# shoot-maintenance: one image, two Deployments (`webhook`, `scheduler`).
#   docker build -t ghcr.io/shoot-maintenance/shoot-maintenance:0.1.0 .
# scripts/check-dockerfile.sh runs the same steps without a Docker engine.

# Build stage: all dependencies, compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled program only (no sources, tests,
# dev dependencies or npm cache).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Type declarations and source maps are never loaded at run time (a third of node_modules).
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
COPY --from=build /build/dist ./dist
# A numeric user, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
# 8443: webhook HTTPS; 8080: scheduler metrics.
EXPOSE 8443 8080
ENTRYPOINT ["node", "/app/dist/cli.js"]
