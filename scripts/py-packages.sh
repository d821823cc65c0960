#!/usr/bin/env bash
# Installs the Python packages the reference tests compare with (transformers,
# safetensors) into the virtual environment of the reference Python, once. A
# stamp in that environment lists what is installed, so a run with everything
# in place only reads one file. Pythons outside a virtual environment (the
# system's, conda's) are left alone: tests that need the packages say so and skip.
#
#   bash scripts/py-packages.sh /path/to/venv/bin/python   # run by scripts/setup.sh
#
# PIP_PACKAGES overrides the list (space-separated). Delete the stamp to retry
# after a failed install.
set -euo pipefail
python=${1:?usage: py-packages.sh PYTHON}
packages=${PIP_PACKAGES:-transformers safetensors}
venv=$(dirname "$(dirname "$python")")
[ -f "$venv/pyvenv.cfg" ] || exit 0
stamp="$venv/.torch-ts-bert-packages"
have=" $(cat "$stamp" 2>/dev/null || true) "
missing=()
for p in $packages; do
  case "$have" in *" $p "* | *" failed:$p "*) ;; *) missing+=("$p") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]} into $venv (pip; the tests compare with them)"
if "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 1 --timeout 30 "${missing[@]}" >&2; then
  result=("${missing[@]}")
else
  echo "setup: pip could not install ${missing[*]} into $venv; the tests that compare with them will be skipped" \
    "(install them with $venv/bin/pip install ${missing[*]}, then delete $stamp)" >&2
  result=("${missing[@]/#/failed:}")
fi
echo "$(echo "${have}" "${result[@]}" | tr ' ' '\n' | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//')" > "$stamp"
