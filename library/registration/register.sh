#!/bin/bash
# Registers a moving image (a T1 or an FA map) to a template with MRtrix3's mrregister, then resamples
# the original moving image onto the template's grid with the transform found.
#   register.sh --type rigid|affine|nonlinear --colin27 colin27-brain|colin27-head --histmatch true|false
#               --moving IMAGE --transformed OUT --linear OUT.txt [--warp OUT.mif] -- [TEMPLATE]
# TEMPLATE (0 or 1 word: an optional FILE argument) overrides the Colin27 choice.
# mrregister's only image metric in 3.0.3 is the sum of squared differences, so a moving T1 in other
# units than the template is first matched to it by a linear intensity map (mrhistmatch linear: its
# nonlinear mode distorted a rescaled Colin27 and broke the registration); the output keeps
# the original intensities.
set -euo pipefail
here=$(dirname -- "${BASH_SOURCE[0]}")
# shellcheck source=colin27.sh
source "$here/colin27.sh"

type='' colin='colin27-brain' histmatch=true moving='' transformed='' linear='' warp=''
while (($# > 0)); do
  case $1 in
    --type) type=$2 ;;
    --colin27) colin=$2 ;;
    --histmatch) histmatch=$2 ;;
    --moving) moving=$2 ;;
    --transformed) transformed=$2 ;;
    --linear) linear=$2 ;;
    --warp) warp=$2 ;;
    --) shift; break ;;
    *) echo "register.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
template=${1:-}
if [[ -z $template ]]; then
  case $colin in
    colin27-brain) template=$(colin27_file ch2bet.nii.gz) ;;
    colin27-head) template=$(colin27_file ch2.nii.gz) ;;
    *) echo "register.sh: unknown template '$colin' (colin27-brain or colin27-head)" >&2; exit 2 ;;
  esac
fi
echo "registering $moving to $template ($type)" >&2

source_image=$moving
if [[ $histmatch == true ]]; then
  mrhistmatch -quiet linear "$moving" "$template" histmatched.mif -force
  source_image=histmatched.mif
fi

case $type in
  rigid)
    mrregister -quiet "$source_image" "$template" -type rigid -rigid "$linear" -force
    mrtransform -quiet "$moving" -linear "$linear" -template "$template" "$transformed" -force
    ;;
  affine)
    mrregister -quiet "$source_image" "$template" -type rigid_affine -affine "$linear" -force
    mrtransform -quiet "$moving" -linear "$linear" -template "$template" "$transformed" -force
    ;;
  nonlinear)
    [[ -n $warp ]] || { echo "register.sh: --warp is needed for a nonlinear registration" >&2; exit 2; }
    mrregister -quiet "$source_image" "$template" -type rigid_affine_nonlinear -affine "$linear" \
      -nl_warp_full "$warp" -force
    mrtransform -quiet "$moving" -warp_full "$warp" -from 1 -template "$template" "$transformed" -force
    ;;
  *) echo "register.sh: unknown type '$type' (rigid, affine or nonlinear)" >&2; exit 2 ;;
esac
