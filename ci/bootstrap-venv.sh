#!/usr/bin/env bash
# Create or refresh the development virtualenv (.venv by default).
#
# Interpreter choice: Python 3.12.1 from pyenv when present (ansible-core 2.21.x),
# otherwise python3 (3.11 gets ansible-core 2.19.x through the markers in
# requirements-dev.txt). Override with PYTHON=/path/to/python3.
#
# The run is skipped when a stamp inside the venv matches the hash of the inputs
# (requirements files, emulator/pyproject.toml, this script, the interpreter).
# FORCE=1 rebuilds from scratch.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${VENV:-.venv}"
stamp="$venv/.bootstrap-stamp"
pip_version="26.3"

pick_python() {
    if [ -n "${PYTHON:-}" ]; then
        command -v "$PYTHON"
        return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        local candidate
        candidate="$(pyenv root)/versions/3.12.1/bin/python3"
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
        candidate="$(PYENV_VERSION=3.12.1 pyenv which python3 2>/dev/null || true)"
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    fi
    command -v python3
}

python="$(pick_python)"
py_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

inputs_hash() {
    {
        echo "python=$python $py_version pip=$pip_version"
        for f in requirements-dev.txt requirements.txt emulator/pyproject.toml ci/bootstrap-venv.sh; do
            if [ -f "$f" ]; then
                printf '%s ' "$f"
                sha256sum <"$f"
            fi
        done
    } | sha256sum | cut -d' ' -f1
}

want="$(inputs_hash)"
if [ "${FORCE:-0}" != "1" ] && [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "venv: $venv is up to date (Python $py_version)"
    exit 0
fi

# Rebuild from scratch when forced, when the venv is broken, or when it was made
# by another interpreter version; otherwise let pip bring it up to date in place.
have_version="$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)"
if [ "${FORCE:-0}" = "1" ] || [ "$have_version" != "$py_version" ]; then
    echo "venv: creating $venv with $python (Python $py_version)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
else
    echo "venv: updating $venv (Python $py_version)"
fi
rm -f "$stamp"

vpip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${vpip[@]}" install -q "pip==$pip_version"
"${vpip[@]}" install -q -r requirements-dev.txt -r requirements.txt
if [ -f emulator/pyproject.toml ]; then
    echo "venv: installing ./emulator (editable)"
    "${vpip[@]}" install -q -e ./emulator
fi
"${vpip[@]}" check
"$venv/bin/ansible" --version | head -1
echo "$want" >"$stamp"
echo "venv: ready"
