#!/usr/bin/env bash
# Fuzzes the REST API from its own OpenAPI document with schemathesis (PyPI), bounded in
# time: no request may cause a 5xx, every response must match its documented schema and
# status codes, invalid input must be refused with a 4xx. (Not checked: that every
# schema-valid request is accepted — business rules such as "a known platform" are not
# all in the schema. The SSE stream is left out: it never ends, and is tested elsewhere.) Runs against a throwaway
# `hubert serve` on loopback with an admin token and one profile of each platform.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${HUBERT_BIN:-$PWD/target/debug/hubert}
command -v schemathesis >/dev/null 2>&1 || pip install -q schemathesis
dir=$(mktemp -d /tmp/hubert-fuzz.XXXXXX)
db="sqlite:$dir/fuzz.db"
port=38080
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
base="http://127.0.0.1:$port"
token=$("$BIN" admin --database-url "$db" create-token --name fuzz --role admin | grep -o 'hub_[A-Za-z0-9_-]*' | tail -n 1)
HUBERT_LOG=warn "$BIN" serve --listen "127.0.0.1:$port" --database-url "$db" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
auth="Authorization: Bearer $token"
curl -fsS -H "$auth" -H 'content-type: application/json' "$base/api/v1/profiles" -d '{"platform":"whatsapp","name":"WhatsApp","credentials":{"phone_number_id":"209876543210987","access_token":"a","app_secret":"b","verify_token":"c"}}' >/dev/null
curl -fsS -H "$auth" -H 'content-type: application/json' "$base/api/v1/profiles" -d '{"platform":"x","name":"X","credentials":{"user_id":"1600000000000000001","consumer_secret":"d","access_token":"e"}}' >/dev/null
status=0
timeout "${HUBERT_FUZZ_SECONDS:-600}" schemathesis run "$base/api/openapi.json" \
  -H "$auth" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --exclude-path /api/v1/events \
  --max-examples "${HUBERT_FUZZ_EXAMPLES:-30}" \
  --request-timeout 10 \
  --seed 20261127 \
  --no-color || status=$?
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked during the fuzz run:"; grep -A5 panicked "$dir/server.log"; status=1
fi
exit $status
