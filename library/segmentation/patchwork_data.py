"""The training studies of a patchwork: which files, read onto one grid, labels as classes.

The studies come either from a list file (JSON: {"studies": [{"id": "P001#S1", "contrasts": [paths],
"labels": [paths]}]}) or, inside a Cohort run, from the catalog: `cohort select --json SELECTOR
file:PATTERN` once per contrast and label pattern, joined by study. Labels are one image of whole-number
labels (0 = background) or several binary masks (mask i becomes class i + 1).
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


def _select(selector, pattern):
    cohort = shutil.which("cohort")
    if cohort is None:
        raise PatchworkError(
            "the cohort CLI is not on PATH — run this job inside a Cohort run, or give a training list file"
        )
    done = subprocess.run([cohort, "select", "--json", selector, f"file:{pattern}"], capture_output=True, text=True)
    if done.returncode != 0:
        raise PatchworkError(f"cohort select {selector} file:{pattern} failed: {done.stderr.strip()}")
    return {s["ref"]: sorted(f["absolutePath"] for f in s["files"]) for s in json.loads(done.stdout or "[]")}


def studies_from_catalog(selector, contrast_patterns, label_patterns):
    """Studies picked by `selector` that have a file for every contrast and label pattern (the first
    match of each, by path); the others are listed and left out."""
    contrasts = [_select(selector, p) for p in contrast_patterns]
    labels = [_select(selector, p) for p in label_patterns]
    refs = sorted(set().union(*[set(c) for c in contrasts + labels]))
    studies, skipped = [], []
    for ref in refs:
        found = [c.get(ref) for c in contrasts + labels]
        if all(found):
            files = [f[0] for f in found]
            n = len(contrast_patterns)
            studies.append({"id": ref, "contrasts": files[:n], "labels": files[n:]})
        else:
            skipped.append(ref)
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
