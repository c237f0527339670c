#!/usr/bin/env bash
# make demo: start two WHM emulators (a source and a destination server), provision the source
# from playbooks/demo, migrate its accounts to the destination with playbooks/migrate.yml,
# verify them there, then run both playbooks again to show that nothing changes the second
# time, and stop the emulators.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/.venv/bin"
work="$(mktemp -d)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The playbooks use this checkout as the hosting.whm collection.
mkdir -p "$work/collections/ansible_collections/hosting"
ln -s "$root" "$work/collections/ansible_collections/hosting/whm"

random_string() { "$bin/python" -c 'import secrets, string, sys; print("".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(int(sys.argv[1]))))' "$1"; }
json_field() { "$bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# start_emulator NAME HOSTNAME IP [extra serve flags...]: prints nothing, sets "$NAME" state dir
start_emulator() {
  local name="$1" hostname="$2" ip="$3"
  shift 3
  local state="$work/$name"
  "$bin/python" -m whm_emulator serve --port 0 --state "$state" --hostname "$hostname" --ip "$ip" --admin "$@" \
    >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    [ -s "$state/server.json" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log"; exit 1; }
    sleep 0.1
  done
  [ -s "$state/server.json" ] || { echo "emulator $name did not start"; cat "$work/$name.log"; exit 1; }
}

source_token="$(random_string 32)"
source_root_password="$(random_string 20)"
echo "== Starting the source WHM emulator (source.example.test, HTTPS with its own CA)"
start_emulator source source.example.test 192.0.2.20 --token "$source_token" --root-password "$source_root_password"
source_port="$(json_field "$work/source/server.json" port)"
echo "   listening on https://127.0.0.1:$source_port"

dest_token="$(random_string 32)"
echo "== Starting the destination WHM emulator (dest.example.test), which reaches the source over its WHM port"
start_emulator destination dest.example.test 192.0.2.30 --token "$dest_token" --root-password "$(random_string 20)" \
  --set "remote_port_map=source.example.test=127.0.0.1:$source_port" --set "remote_ca=$work/source/ca.pem"
dest_port="$(json_field "$work/destination/server.json" port)"
echo "   listening on https://127.0.0.1:$dest_port"

# Source connection for playbooks/provision.yml (the modules' environment variables); the
# destination's and the migration's settings are read by demo/host_vars/destination.yml.
export WHM_HOST=127.0.0.1 WHM_PORT="$source_port" WHM_API_TOKEN="$source_token" WHM_CA_PATH="$work/source/ca.pem"
export DEMO_DEST_PORT="$dest_port" DEMO_DEST_TOKEN="$dest_token" DEMO_DEST_CA="$work/destination/ca.pem"
export DEMO_SOURCE_ROOT_PASSWORD="$source_root_password"
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_RETRY_FILES_ENABLED=0

list_accounts() { # PORT TOKEN CA TITLE
  echo "== $4"
  "$bin/python" - "$1" "$3" "$2" <<'PY'
import json, ssl, sys, urllib.request
port, ca, token = sys.argv[1:4]
req = urllib.request.Request(
    f"https://127.0.0.1:{port}/json-api/listaccts?api.version=1", headers={"Authorization": f"whm root:{token}"}
)
with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca)) as response:
    accounts = json.load(response).get("data", {}).get("acct", [])
for acct in sorted(accounts, key=lambda a: a["user"]):
    state = "suspended" if int(acct["suspended"]) else "active"
    print(f"   {acct['user']:<10} {acct['domain']:<28} plan={acct['plan']:<8} {state}")
if not accounts:
    print("   (none)")
PY
}

cd "$root/playbooks"
echo "== Provision the source: packages, accounts and a token"
"$bin/ansible-playbook" -i demo/inventory.yml provision.yml | tee "$work/provision1.log"
list_accounts "$source_port" "$source_token" "$work/source/ca.pem" "Accounts on the source"
list_accounts "$dest_port" "$dest_token" "$work/destination/ca.pem" "Accounts on the destination before the migration"

echo "== Migrate the source's accounts to the destination (preflight, transfer, verify, report)"
"$bin/ansible-playbook" -i demo/inventory.yml migrate.yml | tee "$work/migrate1.log"
list_accounts "$dest_port" "$dest_token" "$work/destination/ca.pem" "Accounts on the destination after the migration"

echo "== Second runs: everything is already in place"
"$bin/ansible-playbook" -i demo/inventory.yml provision.yml | tee "$work/provision2.log"
"$bin/ansible-playbook" -i demo/inventory.yml migrate.yml | tee "$work/migrate2.log"
if ! grep -Eq '^source +: ok=[0-9]+ +changed=0 ' "$work/provision2.log"; then
  echo "demo: the second provision run changed something; it should not" >&2
  exit 1
fi
if ! grep -Eq '^destination +: ok=[0-9]+ +changed=0 ' "$work/migrate2.log"; then
  echo "demo: the second migration run changed something; it should not" >&2
  exit 1
fi
echo "== Demo finished: the second provision and migration runs reported changed=0"
