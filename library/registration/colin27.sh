# Sourced by the registration and atlas helpers: where mricron-data's Colin27 template and atlases are.
# COHORT_TEMPLATE_DIR overrides the folder (a site that installs them elsewhere sets it in the job's
# environment line).
COLIN27_DIR=${COHORT_TEMPLATE_DIR:-/usr/share/mricron/templates}

# colin27_file NAME: the path of NAME in that folder, or an error saying how to get it.
colin27_file() {
  local path="$COLIN27_DIR/$1"
  if [[ ! -f $path ]]; then
    echo "cohort: $path is missing; install Debian's mricron-data (apt-get install mricron-data), set" \
      "COHORT_TEMPLATE_DIR in the job's environment line, or give a file from an analysis folder instead" >&2
    exit 1
  fi
  printf '%s\n' "$path"
}
