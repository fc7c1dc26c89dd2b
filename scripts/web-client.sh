#!/usr/bin/env bash
# Regenerates the web app's typed API client from the OpenAPI document the
# service serves. With --check, fails when the checked-in client differs from
# what the API serves now (CI), so a drift between API and app breaks the build.
set -euo pipefail
cd "$(dirname "$0")/.."

out=apps/web/src/api/openapi.d.ts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

npm run build:server --silent
node dist/apps/api/src/cli/openapi-document.js > "$tmp/openapi.json"
npx openapi-typescript "$tmp/openapi.json" --output "$tmp/openapi.d.ts" > /dev/null
npx prettier --stdin-filepath "$out" < "$tmp/openapi.d.ts" > "$tmp/formatted.d.ts"

if [[ "${1:-}" == "--check" ]]; then
  if ! diff -u "$out" "$tmp/formatted.d.ts"; then
    echo "The web app's API client is out of date: run npm run web:client and commit $out" >&2
    exit 1
  fi
  echo "The web app's API client matches the served OpenAPI document"
else
  cp "$tmp/formatted.d.ts" "$out"
  echo "Wrote $out"
fi
