#!/bin/bash
# A population template from a cohort's images with MRtrix3's population_template (group-level job).
#   population-template.sh TEMPLATE TRANSFORMS_DIR TYPE VOXEL_MM IMAGE...
# population_template reads a folder of images and names each input's transform after its file, so
# the images (one per study, often all called t1.nii.gz) are linked into a folder as input_001... and
# TRANSFORMS_DIR/inputs.tsv says which file each number is.
set -euo pipefail
template=$1 transforms=$2 type=$3 voxel=$4
shift 4
if (($# < 2)); then
  echo "cohort: a population template needs at least two images, got $#; select more studies (or check" \
    "that the image pattern matches in each)" >&2
  exit 1
fi
inputs=inputs
rm -rf -- "$inputs"
mkdir -p -- "$inputs" "$transforms"
printf 'input\tfile\n' >"$transforms/inputs.tsv"
n=0
for image in "$@"; do
  n=$((n + 1))
  name=$(basename -- "$image")
  # Keep the format's extension: MRtrix3 picks the reader by it.
  case $name in
  *.nii.gz | *.mif.gz) extension=${name: -7} ;;
  *.*) extension=.${name##*.} ;;
  *) extension= ;;
  esac
  id=$(printf 'input_%03d' "$n")
  ln -s -- "$image" "$inputs/$id$extension"
  # A tab or line break inside a name would split the table's row: spaces there.
  printf '%s\t%s\n' "$id" "$(printf '%s' "$image" | tr '\t\n\r' '   ')" >>"$transforms/inputs.tsv"
done
options=(-type "$type" -linear_no_pause -force)
[[ $voxel == 0 ]] || options+=(-voxel_size "$voxel")
[[ $type == *rigid* || $type == *affine* ]] && options+=(-linear_transformations_dir "$transforms/linear")
[[ $type == *nonlinear* ]] && options+=(-warp_dir "$transforms/warps")
echo "+ population_template $inputs $template ${options[*]}" >&2
population_template "$inputs" "$template" "${options[@]}"
