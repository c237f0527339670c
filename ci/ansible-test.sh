#!/usr/bin/env bash
# Run ansible-test on a copy of this collection laid out as ansible_collections/<ns>/<name>.
#
#   ci/ansible-test.sh sanity --python 3.12
#   ci/ansible-test.sh units --python 3.12
#
# ansible-test insists on that directory layout and rejects a symlinked root, while this
# repository *is* the collection root, so the files are copied into a temporary tree.
# Copied: tracked files plus untracked files that .gitignore does not exclude (so work in
# progress is checked too), minus everything matched by galaxy.yml's build_ignore (plus
# tests/fidelity, emulator tooling) — the tree ansible-test sees is the content that ships.
# tests/output from the run is copied back into the repository.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ansible_test="$(command -v ansible-test)" || {
    echo "ansible-test not found on PATH (run 'make venv' and use .venv/bin)" >&2
    exit 2
}
# the interpreter ansible-test itself runs on (the venv's)
at_python="$(sed -n '1s/^#!//p' "$ansible_test")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# namespace, name and build_ignore from galaxy.yml; NUL-separated list of files to copy
"$at_python" - "$root" "$work/meta" "$work/files" <<'PY'
import fnmatch
import subprocess
import sys

import yaml

root, meta_out, files_out = sys.argv[1:4]
with open(f"{root}/galaxy.yml", encoding="utf-8") as f:
    galaxy = yaml.safe_load(f)
# tests/fidelity is tooling for the emulator (scripts with shebangs, not collection tests)
ignore = list(galaxy.get("build_ignore") or []) + ["tests/fidelity"]
listing = subprocess.run(
    ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    check=True,
    capture_output=True,
).stdout.decode()


def ignored(path):
    # like ansible-galaxy: a pattern may match the file or any parent directory
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(p, pat) for p in prefixes for pat in ignore)


keep = sorted({p for p in listing.split("\0") if p and not ignored(p)})
with open(meta_out, "w", encoding="utf-8") as f:
    f.write(f"{galaxy['namespace']} {galaxy['name']}\n")
with open(files_out, "wb") as f:
    f.write(b"".join(p.encode() + b"\0" for p in keep))
PY
read -r ns name <"$work/meta"
dest="$work/ansible_collections/$ns/$name"
mkdir -p "$dest"
# --ignore-failed-read: a tracked file deleted in the working tree is simply skipped
tar -C "$root" --null --ignore-failed-read -T "$work/files" -cf - 2>/dev/null | tar -C "$dest" -xf -

# ansible-test creates its venvs without pip and bootstraps pip with a get-pip script it
# downloads; seed its cache with the offline shim for the pip version it pins.
pip_version="$("$at_python" - <<'PY'
import pathlib
import re

import ansible_test

source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
match = re.search(r"""pip=['"]([0-9.]+)['"]""", source.read_text(encoding="utf-8"))
print(match.group(1) if match else "")
PY
)"
if [ -n "$pip_version" ]; then
    mkdir -p "$HOME/.ansible/test/cache"
    cp "$root/ci/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
else
    echo "warning: could not find the pip version ansible-test wants; not seeding the get-pip cache" >&2
fi

rc=0
(cd "$dest" && "$ansible_test" "$@") || rc=$?

if [ -d "$dest/tests/output" ]; then
    mkdir -p "$root/tests/output"
    cp -r "$dest/tests/output/." "$root/tests/output/"
fi
exit "$rc"
