#!/usr/bin/env bash
# Run one pytest layer; "no tests collected" (pytest exit code 5) is reported, not failed,
# so a layer that has no tests yet does not break `make test`.
#
#   ci/pytest-layer.sh <label> <pytest arguments...>
set -euo pipefail

label="$1"
shift
rc=0
pytest "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "*** $label: no tests collected (pytest exit 5) — layer is empty, not failing ***"
    exit 0
fi
exit "$rc"
