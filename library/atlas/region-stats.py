"""Per-region statistics of scalar images in an atlas's regions, as a long-format TSV.

    region-stats.py --atlas LABELS --atlas-name [NAME] --out OUT.tsv --images IMAGE... --names [NAMES.tsv]

One row per (region, measure): `voxels` and `volume_mm3` of each label, then `mean`, `median` and `sd`
of each image inside it. Columns: subject, study, atlas, label, region, image, measure, value. The
subject and study come from COHORT_STUDY (`PID#SID`, set in a running job). Fields are never quoted;
tabs and line breaks inside them become spaces. sd uses n - 1 (as MRtrix's
mrstats does); a region of one voxel has sd `nan`. The atlas and every image must share one grid:
resample with registration/apply-transform first.

Inside a run (COHORT_TASK set) the same numbers are recorded as measures of the job's study through
`cohort record --file`, keyed ATLAS.LABEL_REGION.volume_mm3 / .voxels and ATLAS.LABEL_REGION.IMAGE.MEASURE
(letters, digits and _ . : / + - only; other characters become _), so that `cohort export` and the
plots page list them. A sd of nan (a one-voxel region) is not recorded.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

# Grids must match to a hundredth of a millimetre: enough to catch a forgotten resampling, loose enough
# for the float32 rounding of NIfTI headers written by different tools.
GRID_TOLERANCE_MM = 0.01


def fail(message):
    print(f"cohort: {message}", file=sys.stderr)
    sys.exit(1)


def parse(argv):
    # Optional values: an empty STRING or a missing optional FILE argument gives no word at all.
    parser = argparse.ArgumentParser(prog="region-stats.py")
    parser.add_argument("--atlas", required=True)
    parser.add_argument("--atlas-name", nargs="?", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--images", nargs="+", required=True)
    parser.add_argument("--names", nargs="?", default="")
    return parser.parse_args(argv)


def stem(path):
    name = os.path.basename(path)
    for extension in (".nii.gz", ".nii", ".mgz", ".img", ".hdr"):
        if name.lower().endswith(extension):
            return name[: -len(extension)]
    return name


def line(fields):
    # Plain TSV, no quoting (a quote is an ordinary character): tabs and line breaks inside a field
    # would split it, so they become spaces.
    return "\t".join(str(f).replace("\t", " ").replace("\n", " ").replace("\r", " ") for f in fields) + "\n"


def read_names(path):
    names = {}
    if not path:
        return names
    with open(path, encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 2 and row[0].strip().isdigit():
                names[int(row[0])] = row[1]
    return names


def same_grid(a, b):
    return a.shape[:3] == b.shape[:3] and np.allclose(a.affine, b.affine, atol=GRID_TOLERANCE_MM)


def key_part(text):
    # A measure key's characters; dots separate the key's parts, so none inside a part.
    return re.sub(r"[^A-Za-z0-9_:/+-]", "_", str(text)).strip("_") or "_"


def record(measures):
    """Records the measures on the job's study with the in-job CLI; outside a run there is no catalog."""
    if not os.environ.get("COHORT_TASK"):
        print("cohort: not inside a run, measures not recorded (the TSV has them)", file=sys.stderr)
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=".", delete=False) as handle:
        json.dump(measures, handle)
    try:
        subprocess.run(["cohort", "record", "--file", handle.name], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        fail(f"recording the measures with cohort record failed ({error})")
    finally:
        os.unlink(handle.name)


def main():
    options = parse(sys.argv[1:])
    images = options.images
    atlas_path = options.atlas
    atlas_img = nib.load(atlas_path)
    labels = np.asarray(atlas_img.dataobj)
    if labels.ndim > 3:
        labels = labels.reshape(labels.shape[:3])
    if not np.all(np.equal(np.mod(labels, 1), 0)):
        fail(f"{atlas_path} holds non-integer values; an atlas needs whole-number labels (resample it with --interp nearest)")
    labels = labels.astype(np.int64)
    voxel_mm3 = float(np.prod(atlas_img.header.get_zooms()[:3]))
    names = read_names(options.names)
    atlas_name = options.atlas_name or stem(atlas_path)
    study = os.environ.get("COHORT_STUDY") or os.environ.get("COHORT_ITEM", "")
    subject, _, study_id = study.partition("#")

    present = [int(l) for l in np.unique(labels) if l != 0]
    # One pass over the atlas: voxel indices sorted by label, split per label.
    flat = labels.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], present + [present[-1] + 1] if present else [])
    regions = {label: order[bounds[i] : bounds[i + 1]] for i, label in enumerate(present)}

    rows = []
    for label in present:
        count = len(regions[label])
        rows.append((label, "", "voxels", count))
        rows.append((label, "", "volume_mm3", count * voxel_mm3))
    for path in images:
        img = nib.load(path)
        if not same_grid(img, atlas_img):
            fail(
                f"{path} is not on the grid of the atlas {atlas_path} (size or position differ); resample the"
                " atlas onto it with registration/apply-transform (reference = this image, nearest)"
            )
        data = np.asarray(img.dataobj, dtype=np.float64)
        if data.ndim > 3:
            if int(np.prod(data.shape[3:])) != 1:
                fail(f"{path} has several volumes; give a 3D scalar image (e.g. FA)")
            data = data.reshape(data.shape[:3])
        values = data.ravel()
        name = stem(path)
        for label in present:
            inside = values[regions[label]]
            sd = float(np.std(inside, ddof=1)) if len(inside) > 1 else math.nan
            rows.append((label, name, "mean", float(np.mean(inside))))
            rows.append((label, name, "median", float(np.median(inside))))
            rows.append((label, name, "sd", sd))

    with open(options.out, "w", encoding="utf-8", newline="") as handle:
        handle.write(line(["subject", "study", "atlas", "label", "region", "image", "measure", "value"]))
        for label, image, measure, value in rows:
            text = str(value) if isinstance(value, int) else repr(float(value))
            handle.write(line([subject, study_id, atlas_name, label, names.get(label, str(label)), image, measure, text]))

    measures = {}
    for label, image, measure, value in rows:
        region = key_part(f"{label}_{names[label]}" if label in names else label)
        parts = [key_part(atlas_name), region] + ([key_part(image)] if image else []) + [measure]
        if not math.isnan(float(value)):
            measures[".".join(parts)[:128]] = value
    record(measures)


if __name__ == "__main__":
    main()
