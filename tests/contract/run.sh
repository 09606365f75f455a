#!/usr/bin/env bash
# Schemathesis against gopy, as .ci/run calls it: a fresh server on the demo data for each run,
# once without a token and once with each role's token. Exits non-zero on any failure.
#   tests/contract/run.sh [path/to/gopy] [max-examples]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gopy="$(realpath "${1:-$here/../../target/debug/gopy}")"
examples="${2:-25}"
st="${ST:-st}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Start gopy on a fresh SQLite database with the demo data; sets $base.
start() {
  local dir="$work/$1" port
  mkdir -p "$dir"
  port="$(free_port)"
  (cd "$dir" && GOPY__SERVER__PORT="$port" GOPY__DATABASE__URL="sqlite://$dir/gopy.sqlite3" \
     GOPY__MAIL__DIR="$dir/mail" RUST_LOG=warn exec "$gopy" serve --demo >"$dir/out.log" 2>"$dir/err.log") &
  pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$dir/err.log"; return 1; }
    sleep 0.1
  done
  echo "gopy did not become ready"; cat "$dir/err.log"; return 1
}

stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

token() {
  curl -fsS -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"gopy-demo-2026\"}" "$base/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
for who in anonymous admin@demo.gopy.vn thuky@demo.gopy.vn kiemduyet@demo.gopy.vn nhanvien1@demo.gopy.vn; do
  start "${who%%@*}"
  args=(--config-file "$here/schemathesis.toml" run "$base/api/v1/openapi.json"
        --checks all --seed 1 --max-examples "$examples" --request-timeout 10
        --report junit --report-junit-path "$work/${who%%@*}.xml")
  if [ "$who" != anonymous ]; then
    args+=(-H "Authorization: Bearer $(token "$who")"
           # These end the run's own session: every later request would test nothing but 401.
           --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/sessions
           --exclude-path '/api/v1/me/sessions/{id}')
  fi
  echo "== schemathesis as $who"
  # From the temporary folder: schemathesis keeps a cache where it runs.
  if ! (cd "$work" && "$st" "${args[@]}") >"$work/$who.txt" 2>&1; then
    status=1
    cat "$work/$who.txt"
  else
    grep -E "passed|failures|Test cases" "$work/$who.txt" | tail -3
  fi
  stop
done
# The workflow: only the stateful phase, along the document's links, each operation with the
# token of the role that takes it (workflow.toml), so that chains such as create → publish →
# comment → claim → moderate run with real ids. Rejection of invalid requests is left to the
# runs above: the tokens here are added after a case is generated, so a case that leaves out
# Authorization to see it refused would still carry one.
start workflow
export GOPY_SECRETARIAT_TOKEN GOPY_EMPLOYEE_TOKEN GOPY_MODERATOR_TOKEN
GOPY_SECRETARIAT_TOKEN="$(token thuky@demo.gopy.vn)"
GOPY_EMPLOYEE_TOKEN="$(token nhanvien1@demo.gopy.vn)"
GOPY_MODERATOR_TOKEN="$(token kiemduyet@demo.gopy.vn)"
ids=()
for id in create_document get_document add_section import_document create_round publish close \
          feedback summary stats report list_responses respond create_comment get_comment \
          edit_comment withdraw_comment list_document_comments claim moderate; do
  ids+=(--include-operation-id "$id")
done
echo "== schemathesis along the workflow's links"
if ! (cd "$work" && "$st" --config-file "$here/workflow.toml" run "$base/api/v1/openapi.json" \
        "${ids[@]}" --phases stateful --checks all --seed 1 --max-examples 200 \
        --exclude-checks negative_data_rejection --request-timeout 10) >"$work/workflow.txt" 2>&1; then
  status=1
  cat "$work/workflow.txt"
else
  grep -E "API Links|Scenarios|passed|failures" "$work/workflow.txt" | tail -4
fi
stop
exit $status
