#!/usr/bin/env bash
# Installs the external tools the tests run for real (dcm2niix; nibabel for generated fixtures; PyTorch for
# the patchwork segmentation jobs; MRtrix3
# for the predefined image jobs; mricron-data for their default template and atlases; GNU Octave to run MATLAB job code where MATLAB is absent) and fetches
# test-data/. Octave is large (~5 minutes on a fresh machine), but only the first time. Idempotent and
# quick when everything is present: apt-get runs only for what is missing. Meant for Debian/Ubuntu (the
# CI machine is a fresh Debian 12, running as root).
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

missing=()
command -v dcm2niix >/dev/null 2>&1 || missing+=(dcm2niix)
dpkg -s python3-nibabel >/dev/null 2>&1 || missing+=(python3-nibabel)
# PyTorch (1.13, CPU) and numpy for the patchwork segmentation jobs (library/segmentation), run by
# /usr/bin/python3 like every library Python job.
dpkg -s python3-torch >/dev/null 2>&1 || missing+=(python3-torch)
dpkg -s python3-numpy >/dev/null 2>&1 || missing+=(python3-numpy)
command -v mrfilter >/dev/null 2>&1 || missing+=(mrtrix3)
command -v octave-cli >/dev/null 2>&1 || missing+=(octave)
# The Colin27 template and its atlases (AAL, JHU white matter, Harvard-Oxford) for the registration and
# atlas jobs of library/, which default to /usr/share/mricron/templates.
[[ -f /usr/share/mricron/templates/ch2bet.nii.gz ]] || missing+=(mricron-data)
# Jupyter for `cohort debug` (issue 15): the notebook server, the headless runner (nbclient, whose
# `jupyter execute` runs a notebook) and the Octave kernel for MATLAB jobs' notebooks.
command -v jupyter-notebook >/dev/null 2>&1 || missing+=(jupyter-notebook)
dpkg -s python3-nbclient >/dev/null 2>&1 || missing+=(python3-nbclient)
dpkg -s python3-octave-kernel >/dev/null 2>&1 || missing+=(python3-octave-kernel)
dpkg -s python3-ipykernel >/dev/null 2>&1 || missing+=(python3-ipykernel)
# Debian's Chromium for the web UI's end-to-end tests and benchmarks (driven by playwright-core).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Slurm and munge for the Slurm executor's tests (scripts/cluster/slurm-up.sh starts a loopback cluster).
command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || missing+=(munge)
# Slurm's accounting database (slurmdbd over MariaDB): slurm-up.sh starts both, on loopback, with the
# cluster, so that finished jobs are read through sacct as on a real cluster.
command -v slurmdbd >/dev/null 2>&1 || missing+=(slurmdbd)
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
# bubblewrap for the local sandbox and podman for job containers (src/runs/isolation/); the tests build
# their image from a local rootfs (podman import), so no registry is needed.
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v podman >/dev/null 2>&1 || missing+=(podman)
# runc beside podman's default crun: crun refuses hosts whose cgroups are in hybrid mode (this CI machine).
command -v runc >/dev/null 2>&1 || missing+=(runc)

if ((${#missing[@]} > 0)); then
  "$SCRIPTS/apt-install.sh" install-test-deps "${missing[@]}"
fi

"$SCRIPTS/fetch-test-data.sh"
