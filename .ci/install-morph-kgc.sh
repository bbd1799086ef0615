#!/usr/bin/env bash
# Install morph-kgc (the reference RML engine) into an isolated venv.
#
# morph-kgc 2.10 pins pyoxigraph<0.4 and rdflib<7.3, so it can never share the
# project's environment; tests/mappings/morph.py runs it as a subprocess.
# Idempotent: a venv that already imports the pinned version is left alone.
set -euo pipefail

MORPH_KGC_VERSION="2.10.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${TYODATA_MORPH_KGC_VENV:-$here/morph-venv}"
py="$venv/bin/python"

installed_version() {
    "$py" -c 'import importlib.metadata as m; print(m.version("morph-kgc"))' 2>/dev/null || true
}

if [[ -x "$py" && "$(installed_version)" == "$MORPH_KGC_VERSION" ]]; then
    echo "morph-kgc $MORPH_KGC_VERSION already in $venv"
    exit 0
fi

python3 -m venv "$venv"
"$py" -m pip install --quiet --disable-pip-version-check "morph-kgc==$MORPH_KGC_VERSION"
echo "morph-kgc $(installed_version) installed in $venv"
