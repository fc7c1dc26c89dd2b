#!/usr/bin/env bash
# The OpenAPI contract, as CI checks it: the document is written without a
# server listening, linted by spectral (.spectral.yaml) and redocly
# (redocly.yaml) with zero errors, and the TypeScript client generated from
# it (openapi-typescript, formatted by prettier) must equal the checked-in
# apps/web/src/api/openapi.d.ts, which both the web app and the contract smoke
# script use. With --write the client is regenerated instead of compared.
set -euo pipefail
cd "$(dirname "$0")/.."

client=apps/web/src/api/openapi.d.ts
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

npm run build:server --silent >/dev/null
node dist/apps/api/src/cli/openapi.js "$out/openapi.json"
npx spectral lint "$out/openapi.json" --ruleset .spectral.yaml --fail-severity error -q
npx redocly lint "$out/openapi.json" --config redocly.yaml --format stylish
# Properties with a default stay optional in requests: the server applies the default.
npx openapi-typescript "$out/openapi.json" -o "$out/openapi.d.ts" --silent --default-non-nullable false
npx prettier --stdin-filepath "$client" <"$out/openapi.d.ts" >"$out/formatted.d.ts"

if [ "${1:-}" = "--write" ]; then
  cp "$out/formatted.d.ts" "$client"
  echo "Wrote $client"
elif ! diff -u "$client" "$out/formatted.d.ts" >"$out/drift.diff"; then
  head -40 "$out/drift.diff" >&2
  echo "The OpenAPI document changed: run npm run openapi:client and commit $client" >&2
  exit 1
fi
# The smoke client compiles under --strict against the generated types.
npx tsc --strict --noEmit --skipLibCheck --esModuleInterop --target es2022 \
  --module commonjs --moduleResolution node --types node test/contract/smoke.ts
echo "OpenAPI contract: lint clean, client current, smoke client typechecks"
