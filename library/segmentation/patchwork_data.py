"""The training studies of a patchwork: which files, read onto one grid, labels as classes.

The studies come either from a list file (JSON: {"studies": [{"id": "P001#S1", "contrasts": [paths],
"labels": [paths]}]}) or from the group-level job's file lists (every selected study's first contrast,
optional second contrast, labels). Inside a Cohort run the files are paired by their study, which one
`cohort select --json PATH...` tells (a list may skip a study or hold several masks of one); outside a
run the lists pair by position. Labels are one image of whole-number labels (0 = background) or several
binary masks of a study (in path order: mask i becomes class i + 1).
"""

import json
import os
import shutil
import subprocess

import numpy as np

from patchwork_common import MAX_CLASSES, PatchworkError, load_contrasts, load_nifti, resample_to
from patchwork_patches import Volume

# Voxels kept per class for balanced sampling: enough positions, bounded memory on 1 mm images.
CLASS_VOXELS_KEPT = 20000


def studies_from_list(path):
    try:
        with open(path, encoding="utf-8") as f:
            listed = json.load(f)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PatchworkError(f"cannot read the training list {path} ({error}) — give a JSON list file") from None
    studies = listed.get("studies") if isinstance(listed, dict) else None
    if not isinstance(studies, list) or not all(
        isinstance(s, dict) and s.get("contrasts") and s.get("labels") for s in studies
    ):
        raise PatchworkError(
            f"the training list {path} must be {{\"studies\": [{{\"id\", \"contrasts\": [...], \"labels\": [...]}}]}}"
        )
    return [
        {"id": str(s.get("id", f"study {i + 1}")), "contrasts": list(s["contrasts"]), "labels": list(s["labels"])}
        for i, s in enumerate(studies)
    ]


def _studies_of(paths):
    """The study (`PID#SID`) of each catalog file, from one `cohort select --json PATH...`."""
    cohort = shutil.which("cohort")
    if cohort is None or not os.environ.get("COHORT_TASK"):
        return None
    done = subprocess.run([cohort, "select", "--json", *paths], capture_output=True, text=True)
    if done.returncode != 0:
        raise PatchworkError(f"cohort select could not find the studies of the training files: {done.stderr.strip()}")
    return {f["absolutePath"]: s["ref"] for s in json.loads(done.stdout or "[]") for f in s["files"]}


def studies_from_files(contrast1, contrast2, labels):
    """Training studies from the group job's lists: per study its contrasts and labels. Studies lacking
    one are listed and left out; a study with several files for one contrast is refused."""
    refs = _studies_of(sorted(set(contrast1 + contrast2 + labels)))
    if refs is None:
        # Outside a run: by position, one file of each list per study.
        if len(labels) != len(contrast1) or (contrast2 and len(contrast2) != len(contrast1)):
            raise PatchworkError(
                f"outside a run the lists must pair by position: {len(contrast1)} contrasts, "
                f"{len(contrast2)} second contrasts, {len(labels)} labels — give one of each per study"
            )
        return [
            {"id": f"study {i + 1}", "contrasts": [c] + ([contrast2[i]] if contrast2 else []), "labels": [labels[i]]}
            for i, c in enumerate(contrast1)
        ]
    by_study = {}
    for key, paths in (("contrast1", contrast1), ("contrast2", contrast2), ("labels", labels)):
        for path in paths:
            by_study.setdefault(refs[path], {"contrast1": [], "contrast2": [], "labels": []})[key].append(path)
    studies, skipped = [], []
    for ref, files in by_study.items():
        for key in ("contrast1", "contrast2"):
            if len(files[key]) > 1:
                raise PatchworkError(
                    f"{ref} has {len(files[key])} files for one contrast ({', '.join(files[key])}) — "
                    "narrow the pattern so that it matches one image per study"
                )
        if not files["contrast1"] or not files["labels"] or (contrast2 and not files["contrast2"]):
            skipped.append(ref)
            continue
        studies.append({"id": ref, "contrasts": files["contrast1"] + files["contrast2"], "labels": files["labels"]})
    if skipped:
        print(f"left out (a contrast or label file missing): {', '.join(skipped)}", flush=True)
    return studies


def label_indices(study, shape, affine):
    """The study's labels on the contrast grid as whole numbers (masks: class i + 1)."""
    paths = study["labels"]
    if len(paths) == 1:
        data, other = load_nifti(paths[0], "label image")
        labels = np.rint(resample_to(data, other, shape, affine, nearest=True)).astype(np.int64)
    else:
        labels = np.zeros(shape, dtype=np.int64)
        for i, path in enumerate(paths):
            data, other = load_nifti(path, f"label mask {i + 1}")
            labels[resample_to(data, other, shape, affine, nearest=True) > 0.5] = i + 1
    if not np.any(labels != 0):
        raise PatchworkError(
            f"the labels {', '.join(paths)} of {study['id']} have no labelled voxel on the contrast's grid — "
            "check the label pattern, or that labels and image overlap in space"
        )
    return labels


def load_training(studies, contrast_names, device="cpu"):
    """Volumes (with one-hot targets), the label values, and the class voxels per volume."""
    raw = []
    for study in studies:
        if len(study["contrasts"]) != len(contrast_names):
            raise PatchworkError(
                f"{study['id']} has {len(study['contrasts'])} contrasts, the others {len(contrast_names)} — "
                "give every study the same contrasts"
            )
        image, shape, affine = load_contrasts(study["contrasts"], contrast_names)
        raw.append((image, label_indices(study, shape, affine), np.sqrt((affine[:3, :3] ** 2).sum(0))))
    values = sorted(set(np.unique(np.concatenate([np.unique(l) for _, l, _ in raw])).tolist()) | {0})
    if len(values) > MAX_CLASSES:
        raise PatchworkError(
            f"the label images hold {len(values)} distinct values — they look like intensities, not labels; "
            "give a label image of whole numbers or binary masks"
        )
    volumes, class_voxels = [], []
    rng = np.random.default_rng(0)
    for image, labels, voxel_mm in raw:
        index = np.searchsorted(np.array(values), labels)  # every label is among the sorted values
        onehot = np.stack([(index == k) for k in range(len(values))]).astype(np.float32)
        volumes.append(Volume(image, onehot, device))
        volumes[-1].voxel_mm = voxel_mm.tolist()
        voxels = []
        for k in range(1, len(values)):
            where = np.argwhere(index == k)
            if len(where) > CLASS_VOXELS_KEPT:
                where = where[rng.choice(len(where), CLASS_VOXELS_KEPT, replace=False)]
            if len(where) > 0:
                voxels.append(where)
        class_voxels.append(voxels)
    return volumes, values, class_voxels


def contrast_name(pattern_or_path):
    return os.path.basename(pattern_or_path.rstrip("/")) or pattern_or_path
