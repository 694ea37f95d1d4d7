"""Shared pieces of the patchwork jobs: clear failures, image reading onto one grid, normalisation,
atomic writes and the model description file.

Every failure a user can cause (a missing or corrupt file, a 4D image, empty labels, a model of other
contrasts) ends in `fail`, which prints one `cohort: problem — fix` line and exits 1; nothing is written
before the result is complete, so a failed task never leaves a partial output to be registered.
"""

import hashlib
import json
import os
import sys

import numpy as np

MODEL_FILE = "model_patchwork.json"
MODEL_FORMAT = "cohort-patchwork/1"
WEIGHTS_FILE = "weights.pt"
CHECKPOINT_FILE = "checkpoint.pt"
# More distinct values than this in a label image means it holds intensities, not labels.
MAX_CLASSES = 64
# Intensities are divided by this percentile of the non-zero voxels: robust to a few bright voxels
# and to the per-site gain differences of a cohort (the demo's scanners differ by up to 40 %).
NORMALISATION_PERCENTILE = 99.0


class PatchworkError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


def fail(message):
    print(f"cohort: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def device():
    """CUDA when the job's environment has a CUDA build of torch and a GPU, else the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def threads():
    """Torch threads: COHORT_THREADS, else the CPUs the scheduler gave the job (Slurm, SGE), else 1.
    More threads than the task's CPUs made training ten times slower on a loaded machine (OpenMP
    threads waiting on each other), so a local task uses its one CPU slot."""
    for name in ("COHORT_THREADS", "SLURM_CPUS_PER_TASK", "NSLOTS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def load_nifti(path, what):
    """(data as float32 array, affine) of a 3D NIfTI, or PatchworkError naming the file."""
    import nibabel as nib

    if not os.path.isfile(path):
        raise PatchworkError(f"the {what} {path} does not exist — check the file pattern")
    try:
        image = nib.load(path)
        data = np.asarray(image.dataobj, dtype=np.float32)
    except Exception as error:  # nibabel raises many kinds for a damaged file
        raise PatchworkError(
            f"the {what} {path} is not a readable NIfTI image ({error}) — re-export or replace it"
        ) from None
    data = np.squeeze(data) if data.ndim > 3 and all(s == 1 for s in data.shape[3:]) else data
    if data.ndim != 3:
        raise PatchworkError(
            f"the {what} {path} has shape {tuple(data.shape)}, not 3D — give one volume "
            "(extract it with mrconvert -coord 3 0)"
        )
    if min(data.shape) < 2:
        raise PatchworkError(f"the {what} {path} has shape {tuple(data.shape)} — too small to segment")
    if not np.all(np.isfinite(data)):
        data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
    return data, image.affine.astype(np.float64)


def resample_to(data, affine, ref_shape, ref_affine, nearest):
    """`data` (on the grid `affine`) sampled on the grid (`ref_shape`, `ref_affine`) in world space."""
    import torch
    import torch.nn.functional as F

    if data.shape == tuple(ref_shape) and np.allclose(affine, ref_affine, atol=1e-3):
        return data
    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in ref_shape], indexing="ij"), axis=-1).reshape(-1, 3)
    world = ijk @ ref_affine[:3, :3].T + ref_affine[:3, 3]
    src = (world - affine[:3, 3]) @ np.linalg.inv(affine[:3, :3]).T
    # Voxel index to grid_sample's [-1, 1] (align_corners=True: -1 and 1 are the outer voxel centres).
    norm = 2 * src / (np.array(data.shape) - 1) - 1
    grid = torch.from_numpy(norm[:, ::-1].copy()).float().reshape(1, *ref_shape, 3)
    volume = torch.from_numpy(np.ascontiguousarray(data)).float()[None, None]
    mode = "nearest" if nearest else "bilinear"
    out = F.grid_sample(volume, grid, mode=mode, padding_mode="zeros", align_corners=True)
    return out[0, 0].numpy()


def normalise(data):
    """Intensities divided by the 99th percentile of the non-zero voxels (1 if there are none)."""
    nonzero = data[data > 0]
    scale = float(np.percentile(nonzero, NORMALISATION_PERCENTILE)) if nonzero.size > 0 else 1.0
    return data / (scale if scale > 0 else 1.0)


def load_contrasts(paths, names):
    """The contrasts of one study on the first one's grid: (channels x X x Y x Z array, shape, affine)."""
    first, affine = load_nifti(paths[0], f"contrast '{names[0]}'")
    channels = [normalise(first)]
    for path, name in zip(paths[1:], names[1:]):
        data, other = load_nifti(path, f"contrast '{name}'")
        channels.append(normalise(resample_to(data, other, first.shape, affine, nearest=False)))
    return np.stack(channels).astype(np.float32), first.shape, affine


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path, write):
    """Calls write(temporary path) then renames it onto `path`: a kill never leaves half a file."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".partial-{os.getpid()}-{name}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(path, value):
    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2)
            f.write("\n")

    write_atomic(path, write)


def read_model(path):
    """The model description at `path` (a model_patchwork.json), checked; PatchworkError if unusable."""
    if os.path.isdir(path):
        path = os.path.join(path, MODEL_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
    except FileNotFoundError:
        raise PatchworkError(f"there is no model file {path} — train one with patchwork-train first") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PatchworkError(f"the model file {path} is not valid JSON ({error}) — retrain or restore it") from None
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        raise PatchworkError(
            f"the model file {path} is no {MODEL_FORMAT} model description — give the "
            f"{MODEL_FILE} written by patchwork-train"
        )
    for key in ("scheme", "network", "contrasts", "labels", "weights"):
        if key not in model:
            raise PatchworkError(f"the model file {path} lacks its '{key}' block — retrain the model")
    weights = os.path.join(os.path.dirname(path), model["weights"].get("file", WEIGHTS_FILE))
    if not os.path.isfile(weights):
        raise PatchworkError(f"the model's weights {weights} are missing — the training never finished an epoch")
    if sha256_of(weights) != model["weights"].get("sha256"):
        raise PatchworkError(
            f"the weights {weights} do not match the sha256 in {path} (changed or damaged) — "
            "restore them or retrain"
        )
    return model, path, weights
