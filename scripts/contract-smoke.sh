#!/usr/bin/env bash
# Starts the service as `npm start` does (embedded PGlite in a throwaway
# directory, or DATABASE_URL when set), waits for /health/ready, runs the
# generated-client smoke script against it and stops the service.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${CONTRACT_SMOKE_PORT:-3950}"
data="$(mktemp -d)"
npm run build --silent >/dev/null
npx swc test/contract -d dist/test --strip-leading-paths --only '**/*.ts' >/dev/null

LEDGER_DATA_DIR="$data" PORT="$port" LOG_LEVEL=warn \
  LEDGER_JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  LEDGER_IDENTITY_DATA_KEY="$(head -c 32 /dev/urandom | base64 -w0)" \
  node dist/apps/api/src/main.js &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { echo "The service exited before it was ready" >&2; exit 1; }
  sleep 1
done
node dist/test/contract/smoke.js "http://127.0.0.1:$port"
