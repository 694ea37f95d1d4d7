#!/bin/bash
# Runs a Python helper with the first python3 that can import nibabel and numpy: a pyenv or virtualenv
# python3 first on PATH often lacks Debian's python3-nibabel, which /usr/bin/python3 has.
#   with-nibabel.sh SCRIPT.py ARGS...
set -euo pipefail
for python in python3 /usr/bin/python3; do
  if command -v "$python" >/dev/null 2>&1 && "$python" -c 'import nibabel, numpy' >/dev/null 2>&1; then
    exec "$python" "$@"
  fi
done
echo "cohort: this job needs Python 3 with nibabel and numpy; install python3-nibabel (apt-get install" \
  "python3-nibabel) or load an environment that has them in the job's environment line" >&2
exit 127
