# One image for both processes; LEDGER_ROLE picks api or worker.
# Node 22 LTS; the code also runs on Node 20.19+ and 24 (package.json engines).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
# Tells whether some worker holds the saga and projection leases (docs/operations.md).
COPY --from=build /app/scripts/worker-healthcheck.cjs ./scripts/worker-healthcheck.cjs
COPY package.json LICENSE ./
USER node
# The API on PORT; the worker's health and metrics on WORKER_HTTP_PORT.
EXPOSE 3000 3001
# Liveness only: a database outage should take the process out of rotation
# (readiness, as compose checks it), not have it restarted. The image has no
# curl, so node asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const port = process.env.LEDGER_ROLE === 'worker' ? process.env.WORKER_HTTP_PORT || 3001 : process.env.PORT || 3000; fetch(`http://127.0.0.1:${port}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
