#!/usr/bin/env bash
# The README's demo: userstream-server in development mode on a SQLite file, driven with curl the way a ZITADEL user
# would drive ZITADEL, the seed's request included. Every request and response is printed.
#
#   examples/server_demo/demo.sh SERVER_BINARY SQLITE_FILE
#
# The state survives in SQLITE_FILE (and its key ring beside it), so each run adds a new user next to the old ones.
set -euo pipefail

server=$1
database=$2
org=demo-org
user=demo-$(date +%Y%m%d-%H%M%S)
output=$(mktemp)
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -f "$output"
}
trap cleanup EXIT

step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
pretty() { if command -v jq >/dev/null; then jq . 2>/dev/null || cat; else cat; fi; }

# call METHOD PATH [BODY]: prints the request as curl would send it, then the status and the pretty response.
call() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS -X "$method" "$base$path" -H "Authorization: Bearer $token" -H "x-zitadel-orgid: $org"
              -H 'Accept: application/json' -w '\n%{http_code}')
  printf '> %s %s\n' "$method" "$path"
  printf '> x-zitadel-orgid: %s\n> Accept: application/json\n> Authorization: Bearer <the development token>\n' "$org"
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/json' -d "$body")
    printf '> Content-Type: application/json\n> %s\n' "$body"
  fi
  local response status
  response=$(curl "${args[@]}")
  status=${response##*$'\n'}
  printf '< %s\n' "$status"
  printf '%s\n' "${response%$'\n'*}" | pretty
  # The server writes its access lines in batches, within 100 ms: waiting a little keeps each one under its exchange.
  sleep 0.2
}

step "1. Start userstream-server --dev on $database"
"$server" --dev --listen 127.0.0.1:0 --store "sqlite:$database" >"$output" 2> >(sed -u 's/^/  server: /' >&2) &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q '^userstream-server listening on ' "$output" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$output"; echo "the server exited" >&2; exit 1; }
  sleep 0.1
done
base=$(sed -n 's/^userstream-server listening on //p' "$output")
token=$(sed -n 's/^dev admin token: //p' "$output")
[ -n "$base" ] && [ -n "$token" ] || { cat "$output"; echo "the server did not start" >&2; exit 1; }
echo "listening on $base (the development token is printed once by the server)"

step "2. Create a user with v2 AddHumanUser"
call POST /v2/users/human "{\"userId\":\"$user\",\"organization\":{\"orgId\":\"$org\"},\"username\":\"$user\",\"profile\":{\"givenName\":\"Minnie\",\"familyName\":\"Mouse\"},\"email\":{\"email\":\"minnie@example.com\",\"isVerified\":true}}"

step "3. The seed's request: PUT /management/v1/users/{userId}/phone"
call PUT "/management/v1/users/$user/phone" '{"phone": "+41 71 000 00 00", "isPhoneVerified": true}'

step "4. Change to an unverified number: the outbox sends a code by SMS"
call PUT "/management/v1/users/$user/phone" '{"phone": "+41 79 123 45 67", "isPhoneVerified": false}'
code=""
for _ in $(seq 1 100); do
  code=$(sed -n "s/^SMS to .* (user $user): your verification code is //p" "$output" | tail -n 1)
  [ -n "$code" ] && break
  sleep 0.1
done
[ -n "$code" ] || { echo "no SMS was printed" >&2; exit 1; }
grep "^SMS to .* (user $user)" "$output" | tail -n 1 | sed 's/^/  server printed: /'

step "5. Verify the phone with the code from the SMS (v2 VerifyPhone)"
call POST "/v2/users/$user/phone/verify" "{\"verificationCode\":\"$code\"}"

step "6. Read the phone back"
call GET "/management/v1/users/$user/phone"

step "7. Stop the server with SIGTERM"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
echo "the server exited with status $status"
exit "$status"
