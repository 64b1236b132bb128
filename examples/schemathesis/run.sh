#!/usr/bin/env bash
# Schemathesis against `vmsspec serve`, driven by `vmsspec schema --openapi`, every request
# signed by vms_signing_hooks.py. Usage: examples/schemathesis/run.sh [extra `st run` options]
# Schemathesis lives in its own virtual environment (VMSSPEC_ST_VENV, created on first use),
# never in the project's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VMSSPEC_ST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vmsspec/venv-schemathesis}"
if [ ! -x "$venv/bin/st" ]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q schemathesis -e "$repo"
fi
# This checkout's vmsspec, whichever one the venv was first installed from.
export PYTHONPATH="$here:$repo${PYTHONPATH:+:$PYTHONPATH}"
work="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT INT TERM
"$venv/bin/python" -m vmsspec schema --openapi > "$work/openapi.json"
"$venv/bin/python" -m vmsspec serve --port 0 > "$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 50); do
    url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1 || true)"
    [ -n "$url" ] && break
    sleep 0.2
done
[ -n "$url" ] || { echo "vmsspec serve did not start:" >&2; cat "$work/serve.log" >&2; exit 2; }
status=0
# From the scratch folder: Schemathesis keeps its cache (.schemathesis/) in the current one.
(cd "$work" && SCHEMATHESIS_HOOKS=vms_signing_hooks "$venv/bin/st" run "$work/openapi.json" \
    --url "$url" --checks all --no-color "$@") || status=$?
"$venv/bin/python" "$here/tally_answers.py" "$url" || true
exit "$status"
