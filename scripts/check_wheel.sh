#!/usr/bin/env bash
# Does the wheel work outside the checkout?  Builds it, installs it into a fresh virtual
# environment in a temporary folder (torch==2.13.0 first, then the wheel with its dependencies
# from the package index and the pip cache), and runs seisfill from an empty folder:
#   seisfill models; seisfill fill <bundled sample> out.sgy; seisfill train --config tiny ...
# Any error fails the check; the temporary folders are removed in every case.
#
#   scripts/check_wheel.sh            (make check-wheel; PYTHON=... picks the building Python)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
sample="$repo/sample_data/cdp700_land_dead.sgy"
work="$(mktemp -d "${TMPDIR:-/tmp}/seisfill-check-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }

# Build from a copy of the files git knows (tracked or new, not ignored): setuptools builds
# in the source folder, and a stale build/ there would put deleted modules into the wheel.
step "build the wheel"
mkdir "$work/src" "$work/dist"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
    | tar --null -T - -cf -) | tar -xf - -C "$work/src"
"$python" -m pip wheel --quiet --no-deps -w "$work/dist" "$work/src"
wheel="$(ls "$work"/dist/seisfill-*.whl)"
echo "$wheel"

step "install it into a fresh environment"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet torch==2.13.0
"$work/venv/bin/python" -m pip install --quiet "$wheel"

# An empty folder, the new environment first on PATH, no data folder from the caller.
mkdir "$work/empty"
cd "$work/empty"
export PATH="$work/venv/bin:$PATH"
unset SEISFILL_DATA PYTHONPATH VIRTUAL_ENV

step "seisfill models"
seisfill models

step "seisfill fill (default method)"
seisfill fill "$sample" out.sgy
test -s out.sgy

step "seisfill train --config tiny"
seisfill train --config tiny --out run \
    --set train.steps=3 train.val_every=0 train.val_at_start=false train.progress=false
test -s run/model.pt

step "the wheel works outside the checkout"
