#!/bin/bash
# Brings an atlas from template space into a subject's space: the inverse of the subject-to-template
# transform of registration/linear or registration/nonlinear, nearest-neighbour so labels stay whole,
# on the subject image's grid. Also writes the atlas's region names as a TSV (label, region).
#   to-subject.sh --atlas aal|jhu-wm|harvard-oxford|brodmann --subject IMAGE --transform T
#                 --out LABELS --names NAMES.tsv --atlas-file [FILE] --atlas-names [FILE]
# Optional FILE arguments expand to no word when absent, hence the empty values (a value is never an
# option: paths are absolute). --atlas-file replaces the Colin27 atlas; its names come from
# --atlas-names when given (lines "label name ..."), else the labels are their own names.
set -euo pipefail
here=$(dirname -- "${BASH_SOURCE[0]}")
# shellcheck source=../registration/colin27.sh
source "$here/../registration/colin27.sh"

atlas='' subject='' transform='' out='' names='' atlas_file='' names_file=''
while (($# > 0)); do
  option=$1 value=''
  shift
  if (($# > 0)) && [[ $1 != --* ]]; then
    value=$1
    shift
  fi
  case $option in
    --atlas) atlas=$value ;;
    --subject) subject=$value ;;
    --transform) transform=$value ;;
    --out) out=$value ;;
    --names) names=$value ;;
    --atlas-file) atlas_file=$value ;;
    --atlas-names) names_file=$value ;;
    *) echo "to-subject.sh: unknown option '$option'" >&2; exit 2 ;;
  esac
done
if [[ -z $atlas_file ]]; then
  case $atlas in
    aal) atlas_file=$(colin27_file aal.nii.gz); names_file=$(colin27_file aal.nii.txt) ;;
    jhu-wm)
      atlas_file=$(colin27_file JHU-WhiteMatter-labels-1mm.nii.gz)
      names_file=$(colin27_file JHU-WhiteMatter-labels-1mm.nii.txt)
      ;;
    harvard-oxford) atlas_file=$(colin27_file HarvardOxford-cort-maxprob-thr0-1mm.nii.gz) ;;
    brodmann) atlas_file=$(colin27_file brodmann.nii.gz) ;;
    *) echo "to-subject.sh: unknown atlas '$atlas' (aal, jhu-wm, harvard-oxford, brodmann)" >&2; exit 2 ;;
  esac
fi

bash "$here/../registration/apply-transform.sh" --image "$atlas_file" --transform "$transform" \
  --reference "$subject" --inverse true --interp nearest --out "$out"

# Names: "label<TAB>region" for every label of the atlas file (0, the background, left out).
{
  printf 'label\tregion\n'
  if [[ -n $names_file ]]; then
    awk '$1 ~ /^[0-9]+$/ && $1 != 0 && NF >= 2 { printf "%s\t%s\n", $1, $2 }' "$names_file"
  else
    mrstats -quiet -ignorezero -output max "$atlas_file" >/dev/null # fails early on an unreadable atlas
    mrdump -quiet "$atlas_file" | awk '$1 != 0 { seen[$1 + 0] = 1 } END { for (l in seen) print l }' | sort -n |
      awk '{ printf "%s\t%s\n", $1, $1 }'
  fi
} >"$names"
