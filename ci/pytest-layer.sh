#!/usr/bin/env bash
# Run one pytest layer; "no tests collected" (pytest exit code 5) is reported, not failed,
# so a layer that has no tests yet does not break `make test`.
#
#   ci/pytest-layer.sh <label> <test directory> <more pytest arguments...>
set -euo pipefail

label="$1"
testdir="$2"
shift 2
if [ ! -d "$testdir" ]; then
    echo "*** $label: $testdir does not exist yet — layer is empty, not failing ***"
    exit 0
fi
rc=0
# -rs: list skip reasons (e.g. integration targets skipped because the emulator is missing)
pytest -rs "$testdir" "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "*** $label: no tests collected (pytest exit 5) — layer is empty, not failing ***"
    exit 0
fi
exit "$rc"
