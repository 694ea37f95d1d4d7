#!/bin/bash
# Resamples an image onto a reference grid through a transform written by registration/linear (a 4x4
# text matrix) or registration/nonlinear (MRtrix3's 5D full warp, .mif), forward (subject to template)
# or inverse (template to subject: e.g. an atlas into subject space, with --interp nearest for labels).
#   apply-transform.sh --image IMAGE --transform T --reference GRID --inverse true|false
#                      --interp nearest|linear|cubic|sinc --out OUT
set -euo pipefail
image='' transform='' reference='' inverse=false interp=linear out=''
while (($# > 0)); do
  case $1 in
    --image) image=$2 ;;
    --transform) transform=$2 ;;
    --reference) reference=$2 ;;
    --inverse) inverse=$2 ;;
    --interp) interp=$2 ;;
    --out) out=$2 ;;
    *) echo "apply-transform.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
# Labels keep their data type (a warp would otherwise make them float); other images become floats.
if [[ $interp == nearest ]]; then
  datatype=$(mrinfo -quiet -datatype "$image")
  extra=(-datatype "${datatype,,}")
else
  extra=(-datatype float32)
fi
case $transform in
  *.txt)
    how=(-linear "$transform")
    [[ $inverse == true ]] && how+=(-inverse)
    ;;
  *)
    if [[ $(mrinfo -quiet -ndim "$transform") != 5 ]]; then
      echo "cohort: $transform is neither a linear transform (.txt) nor a 5D full warp of" \
        "registration/nonlinear; give one of those" >&2
      exit 1
    fi
    from=1
    [[ $inverse == true ]] && from=2
    how=(-warp_full "$transform" -from "$from")
    ;;
esac
mrtransform -quiet "$image" "${how[@]}" -template "$reference" -interp "$interp" "${extra[@]}" "$out" -force
