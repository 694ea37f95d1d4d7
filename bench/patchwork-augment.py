"""Augmented copies of one image and its mask for bench/patchwork-bench.ts (the ch2-trained model).

    patchwork-augment.py IMAGE MASK OUTDIR COPIES SEED

Each copy: a random rotation (up to 10 degrees about each axis), scale (0.9-1.1), shift (up to 8 voxels)
and intensity gain (0.8-1.2), resampled with torch's affine_grid (image trilinear, mask nearest), written
on the input's grid as OUTDIR/copyN_t1.nii.gz and copyN_mask.nii.gz; prints a training list JSON.
"""

import json
import math
import os
import sys

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F

image_path, mask_path, out, copies, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(seed)
image = nib.load(image_path)
data = torch.from_numpy(np.asarray(image.dataobj, dtype=np.float32))[None, None]
mask = torch.from_numpy((np.asarray(nib.load(mask_path).dataobj) > 0).astype(np.float32))[None, None]
studies = []
for n in range(copies):
    a, b, c = np.radians(rng.uniform(-10, 10, 3))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    matrix = (rx @ ry @ rz) * rng.uniform(0.9, 1.1)
    shift = rng.uniform(-8, 8, 3) * 2 / np.array(data.shape[2:])
    theta = torch.tensor(np.concatenate([matrix, shift[:, None]], 1)[None], dtype=torch.float32)
    grid = F.affine_grid(theta, data.shape, align_corners=False)
    moved = F.grid_sample(data, grid, align_corners=False)[0, 0].numpy() * rng.uniform(0.8, 1.2)
    moved_mask = F.grid_sample(mask, grid, mode="nearest", align_corners=False)[0, 0].numpy()
    t1, labels = os.path.join(out, f"copy{n}_t1.nii.gz"), os.path.join(out, f"copy{n}_mask.nii.gz")
    nib.save(nib.Nifti1Image(moved.astype(np.float32), image.affine), t1)
    nib.save(nib.Nifti1Image(moved_mask.astype(np.int16), image.affine), labels)
    studies.append({"id": f"ch2 copy {n}", "contrasts": [t1], "labels": [labels]})
print(json.dumps({"studies": studies}))
