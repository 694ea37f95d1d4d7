"""How much the finest level of a depth-3 model uses its parent (issue 14, docs/benchmarks.md): the apply
of library/segmentation on one head with the true parent channels, and with level 2's parent channels
replaced by 1/K (no information); brain Dice (labels >= 3) and brain voxels of each, as one JSON line.

    patchwork-parent-probe.py MODEL_DIR T1 LABELS
"""
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "library", "segmentation"))
import patchwork_apply as pa  # noqa: E402
from patchwork_common import load_contrasts, read_model
from patchwork_net import build
from patchwork_patches import Volume
torch.set_num_threads(1)
model_dir, t1, labels = sys.argv[1:4]
info, _, weights = read_model(model_dir)
model = build(info["network"]); model.load_state_dict(torch.load(weights)); model.eval()
image, shape, affine = load_contrasts([t1], ["t1"])
truth = np.asarray(nib.load(labels).dataobj)
values = np.array(info["labels"]["values"])
original = pa.averaged_parents
def run(blind):
    def patched(chunk, grids):
        out = original(chunk, grids)
        if blind and abs(chunk[0][1][0] - 0.25) < 1e-6:
            return torch.full_like(out, 1.0 / out.shape[1])
        return out
    pa.averaged_parents = patched
    with torch.inference_mode():
        p = pa.predict(model, Volume(image), info["scheme"], info["network"]["out_channels"], 1)
    seg = values[p.argmax(0).numpy()]
    a, b = seg >= 3, truth >= 3
    return 2 * (a & b).sum() / (a.sum() + b.sum()), int(a.sum())
print(json.dumps({"model": model_dir, "parent": info["network"].get("parent", "plain"), "head": t1,
                  "true_brain_voxels": int((truth >= 3).sum()),
                  "with_parent": run(False), "level2_parent_blind": run(True)}), flush=True)
