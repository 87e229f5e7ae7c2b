#!/usr/bin/env bash
# Property-based fuzzing of the running API against its own OpenAPI document with Schemathesis:
# every generated request, valid or not, must be answered without a server error (5xx).
#
#   npm start                      # in one terminal (or point BASE_URL at another instance)
#   scripts/fuzz-api.sh [examples] [more st options…] # in another; needs `pip install schemathesis`
#
# FUZZ_CHECKS: Schemathesis checks, comma-separated (default not_a_server_error).
# It runs once with a server token and once with a clinic admin's user token, minted by the
# command-line tool, so both kinds of routes are reached. Writes data into the service's database.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_URL="${BASE_URL:-http://localhost:${PORT:-8080}}"
EXAMPLES="${1:-30}"
shift || true
command -v st >/dev/null || { echo "schemathesis is not installed: pip install schemathesis" >&2; exit 2; }

server_token=$(npm run -s cli -- token --server fuzzer)
user=$(npm run -s cli -- user create --email "fuzz-$(date +%s)@example.com" --name "Fuzz Admin")
user_token=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).token)' "$user")
curl -fsS -X POST "$BASE_URL/v1/clinics" -H "x-tidepool-session-token: $user_token" \
  -H 'content-type: application/json' -d '{"name":"Fuzz Clinic","preferredBgUnits":"mg/dL"}' >/dev/null

for token in "$server_token" "$user_token"; do
  st run "$BASE_URL/docs-json" --url "$BASE_URL" -H "x-tidepool-session-token: $token" \
    --checks "${FUZZ_CHECKS:-not_a_server_error}" --max-examples "$EXAMPLES" "$@"
done
