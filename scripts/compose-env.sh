#!/usr/bin/env bash
# Writes the compose file's .env once: the database and Redis passwords, the
# JWT secret, the identity data key and the sandbox webhook secret, each drawn
# fresh, plus the payment gateway the operator names.
#
#   npm run compose:env -- sandbox|stripe
#
# It refuses to overwrite an existing file: the identity data key encrypts the
# e-mails, phones and TOTP secrets stored in Postgres, and the passwords are
# the ones the volumes were initialised with, so a second set would leave the
# stored data unreadable. Keep the file (and a copy in a secret store).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${COMPOSE_ENV_FILE:-.env}"
gateway="${1:-}"

if [[ "$gateway" != sandbox && "$gateway" != stripe ]]; then
  echo "usage: npm run compose:env -- sandbox|stripe" >&2
  echo "The payment gateway is a deliberate choice: the sandbox settles payments that never happen." >&2
  exit 2
fi
if [[ -e "$target" ]]; then
  echo "$target exists; not overwriting it (its keys protect the data already stored)." >&2
  exit 1
fi

# Six fresh 32-byte values in one go: four in hex (safe inside URLs), the data key and the
# checkpoint signing seed in base64.
read -r postgres_password redis_password jwt_secret sandbox_secret data_key checkpoint_key < <(
  node -e "const r = () => require('node:crypto').randomBytes(32);
    console.log([1, 2, 3, 4].map(() => r().toString('hex')).join(' '), r().toString('base64'), r().toString('base64'))"
)

if [[ -z "${checkpoint_key:-}" ]]; then
  echo "Could not draw the secrets (node is needed)." >&2
  exit 1
fi

# The file holds secrets: readable by its owner only, written whole or not at all.
umask 077
partial="$target.partial.$$"
trap 'rm -f "$partial"' EXIT
{
  echo "# Written by npm run compose:env on $(date -u +%Y-%m-%dT%H:%M:%SZ). Keep it; see docs/production.md."
  echo "POSTGRES_PASSWORD=$postgres_password"
  echo "REDIS_PASSWORD=$redis_password"
  echo "LEDGER_JWT_SECRET=$jwt_secret"
  echo "# Encrypts stored e-mails, phones and TOTP secrets: never change it on a populated database."
  echo "LEDGER_IDENTITY_DATA_KEY=$data_key"
  echo "# Signs the log's checkpoints (docs/audit.md): auditors check them with its public key."
  echo "LEDGER_CHECKPOINT_SIGNING_KEY=$checkpoint_key"
  echo "PAYMENT_GATEWAY=$gateway"
  echo "SANDBOX_WEBHOOK_SECRET=$sandbox_secret"
  if [[ "$gateway" == stripe ]]; then
    echo "# Fill these in from the Stripe dashboard; the service refuses to start without them."
    echo "STRIPE_SECRET_KEY="
    echo "STRIPE_WEBHOOK_SECRET="
  fi
} >"$partial"
# ln fails if the target appeared meanwhile, so an existing file is never replaced.
ln "$partial" "$target"
echo "Wrote $target (mode 600). Start with: docker compose up -d"
