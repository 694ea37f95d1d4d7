#!/usr/bin/env bash
# Fills test-data/ (gitignored) with small real imaging files taken from the Debian packages of nibabel,
# dipy and mricron-data: DICOMs for the dcm2niix import, NIfTI volumes (some with diffusion gradients),
# tract files (.tck/.trk), and the Colin27 template with atlases. Only needs apt-get download + dpkg-deb,
# no Python. Does nothing once test-data/.complete holds this script's DATA_VERSION; delete that file
# (or test-data/) to fetch again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/test-data"
PACKAGES=(python3-nibabel python3-dipy mricron-data)
# Raise when the set of files changes, so checkouts with an older test-data/ fetch again.
DATA_VERSION=2

if [[ -f "$DEST/.complete" && "$(cat "$DEST/.complete")" == "$DATA_VERSION" ]]; then
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetch-test-data: downloading ${PACKAGES[*]}"
cd "$WORK"
# Fresh machines often have no package lists yet; refreshing them needs root and time, so only on failure.
if ! apt-get download "${PACKAGES[@]}" >/dev/null 2>&1; then
  apt-get update >/dev/null
  apt-get download "${PACKAGES[@]}" >/dev/null
fi
for deb in ./*.deb; do
  dpkg-deb -x "$deb" "$WORK/x"
done

# Locate the package folders without assuming a Python version in the path.
find_dir() {
  local found
  found="$(find "$WORK/x" -type d -path "*/$1" -print -quit)"
  if [[ -z "$found" ]]; then
    echo "fetch-test-data: $1 not found in the downloaded packages" >&2
    exit 1
  fi
  printf '%s\n' "$found"
}
NICOM="$(find_dir nibabel/nicom/tests/data)"
NIBDATA="$(find_dir nibabel/tests/data)"
DIPY="$(find_dir dipy/data/files)"
MRICRON="$(find_dir mricron/templates)"

mkdir -p "$DEST/dicom" "$DEST/nifti" "$DEST/tracts" "$DEST/templates"

# DICOM: 0.dcm + 1.dcm are two volumes of one Siemens DWI series (PatientID 1234); the siemens_dwi_* pair
# has no PatientID; decimal_rescale.dcm is PatientID "Anon"; philips_mprage.dcm is a 23 MB enhanced
# (multi-frame) Philips MPRAGE.
cp "$NICOM/0.dcm" "$NICOM/1.dcm" "$NICOM/decimal_rescale.dcm" "$DEST/dicom/"
for gz in siemens_dwi_0 siemens_dwi_1000 philips_mprage; do
  gunzip -c "$NICOM/$gz.dcm.gz" >"$DEST/dicom/$gz.dcm"
done

# NIfTI volumes from nibabel; standard.nii.gz is the reference space of the standard.* tract files.
for f in anatomical.nii functional.nii example4d.nii.gz example_nifti2.nii.gz standard.nii.gz; do
  cp "$NIBDATA/$f" "$DEST/nifti/"
done
# Small diffusion data sets from dipy, each with FSL-style .bval/.bvec.
for f in small_64D.nii small_64D.bval small_64D.bvec small_25.nii.gz small_25.bval small_25.bvec \
  small_101D.nii.gz small_101D.bval small_101D.bvec S0_10slices.nii.gz aniso_vox.nii.gz; do
  cp "$DIPY/$f" "$DEST/nifti/"
done

# Streamlines: MRtrix .tck and TrackVis .trk from nibabel, plus dipy's bundles (5 subjects x 3 tracts).
for f in standard.tck standard.trk standard.LPS.trk simple.tck simple.trk complex.trk empty.tck empty.trk \
  matlab_nan.tck; do
  cp "$NIBDATA/$f" "$DEST/tracts/"
done
if command -v python3 >/dev/null; then
  python3 -m zipfile -e "$DIPY/minimal_bundles.zip" "$DEST/tracts/bundles/"
elif command -v unzip >/dev/null; then
  unzip -oq "$DIPY/minimal_bundles.zip" -d "$DEST/tracts/bundles/"
else
  echo "fetch-test-data: neither python3 nor unzip found; skipping tracts/bundles" >&2
fi

# Colin27 (1 mm, MNI space): the head, its brain, the AAL atlas with its names (lines "label name code").
for f in ch2.nii.gz ch2bet.nii.gz aal.nii.gz aal.nii.txt; do
  cp "$MRICRON/$f" "$DEST/templates/"
done

(cd "$DEST" && find dicom nifti tracts templates -type f | sort) >"$DEST/MANIFEST.txt"
echo "$DATA_VERSION" >"$DEST/.complete"
echo "fetch-test-data: $(wc -l <"$DEST/MANIFEST.txt") files in $DEST"
