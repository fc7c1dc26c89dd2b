#!/usr/bin/env bash
# The OpenAPI contract, as CI checks it: the document is written without a
# server listening, linted by spectral (.spectral.yaml) and redocly
# (redocly.yaml) with zero errors, and the TypeScript client generated from
# it must equal the checked-in test/contract/ledger-api.ts. With --write the
# client is regenerated instead of compared.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

npm run build --silent >/dev/null
node dist/apps/api/src/cli/openapi.js "$out/openapi.json"
npx spectral lint "$out/openapi.json" --ruleset .spectral.yaml --fail-severity error -q
npx redocly lint "$out/openapi.json" --config redocly.yaml --format stylish
npx openapi-typescript "$out/openapi.json" -o "$out/ledger-api.ts" --silent

if [ "${1:-}" = "--write" ]; then
  cp "$out/ledger-api.ts" test/contract/ledger-api.ts
  echo "Wrote test/contract/ledger-api.ts"
elif ! diff -u test/contract/ledger-api.ts "$out/ledger-api.ts" >"$out/drift.diff"; then
  head -40 "$out/drift.diff" >&2
  echo "The OpenAPI document changed: run npm run openapi:client and commit test/contract/ledger-api.ts" >&2
  exit 1
fi
# The smoke client compiles under --strict against the generated types.
npx tsc --strict --noEmit --skipLibCheck --esModuleInterop --target es2022 \
  --module commonjs --moduleResolution node --types node test/contract/smoke.ts
echo "OpenAPI contract: lint clean, client current, smoke client typechecks"
