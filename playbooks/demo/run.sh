#!/usr/bin/env bash
# make demo: start a WHM emulator, provision it from playbooks/demo, provision again to show
# that nothing changes the second time, then stop the emulator.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/.venv/bin"
work="$(mktemp -d)"
state="$work/source"
emulator_pid=""

cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The playbooks use this checkout as the hosting.whm collection.
mkdir -p "$work/collections/ansible_collections/hosting"
ln -s "$root" "$work/collections/ansible_collections/hosting/whm"

random_string() { "$bin/python" -c 'import secrets, string, sys; print("".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(int(sys.argv[1]))))' "$1"; }
token="$(random_string 32)"
echo "== Starting a WHM emulator (HTTPS, its own CA) in $state"
"$bin/python" -m whm_emulator serve --port 0 --state "$state" --token "$token" \
  --root-password "$(random_string 20)" --admin >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$state/server.json" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log"; exit 1; }
  sleep 0.1
done
[ -s "$state/server.json" ] || { echo "emulator did not start"; cat "$work/emulator.log"; exit 1; }
port="$("$bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$state/server.json")"
echo "   listening on https://127.0.0.1:$port"

export WHM_HOST=127.0.0.1 WHM_PORT="$port" WHM_API_TOKEN="$token" WHM_CA_PATH="$state/ca.pem"
export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_RETRY_FILES_ENABLED=0

cd "$root/playbooks"
echo "== First run: create packages, accounts and a token"
"$bin/ansible-playbook" -i demo/inventory.yml provision.yml | tee "$work/run1.log"
echo "== Second run: everything is already in place"
"$bin/ansible-playbook" -i demo/inventory.yml provision.yml | tee "$work/run2.log"
if ! grep -Eq '^source +: ok=[0-9]+ +changed=0 ' "$work/run2.log"; then
  echo "demo: the second run changed something; it should not" >&2
  exit 1
fi

echo "== Accounts on the emulator now"
"$bin/python" - "$port" "$state/ca.pem" "$token" <<'PY'
import json, ssl, sys, urllib.request
port, ca, token = sys.argv[1:4]
req = urllib.request.Request(
    f"https://127.0.0.1:{port}/json-api/listaccts?api.version=1", headers={"Authorization": f"whm root:{token}"}
)
with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca)) as response:
    accounts = json.load(response)["data"]["acct"]
for acct in sorted(accounts, key=lambda a: a["user"]):
    state = "suspended" if int(acct["suspended"]) else "active"
    print(f"   {acct['user']:<10} {acct['domain']:<28} plan={acct['plan']:<8} {state}")
PY
echo "== Demo finished: the second run reported changed=0"
