"""Applies a patchwork model to one study (library job segmentation/patchwork-apply).

    patchwork_apply.py --model DIR/model_patchwork.json --contrasts FILE... --output OUT.nii[.gz]
                       --provenance OUT.json [--type mask|probabilities] [--repetitions 1]

Covers the image with patch trees (every level's boxes tile their parent with overlap), averages the
finest level's class probabilities on the first contrast's own grid (so the result is on the input's
grid, with its header) and writes labels (int16, the trained label values) or probabilities (float32,
one volume per class). Repetitions beyond the first shift the tiling at random and are averaged too.
The provenance JSON names the model file and the sha256 of its weights. Finer levels use their parent as
the model was trained (the network block's `parent`: residual, or plain for models saved before the
option existed).
"""

import argparse
import datetime
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from patchwork_common import device, threads, PatchworkError, fail, load_contrasts, read_model, write_atomic, write_json
from patchwork_net import build, level_logits, parent_scheme
from patchwork_patches import Volume, level_boxes as tile, parent_channels, patch_grid, sample

# Patches run through a network at once: bounded memory, still amortised per call.
BATCH = 16
# Weight of a patch's voxels by position: 1 at the centre falling to this at the edge, because
# predictions near a patch's border see less context.
EDGE_WEIGHT = 0.1


def parse(argv):
    parser = argparse.ArgumentParser(prog="patchwork_apply.py")
    parser.add_argument("--model", required=True)
    parser.add_argument("--contrasts", nargs="+", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--provenance", required=True)
    parser.add_argument("--type", default="mask", choices=["mask", "probabilities"])
    parser.add_argument("--repetitions", type=float, default=1)
    # Patches per box side seeing each voxel: 2 (half-box steps) by default; more is denser and slower.
    parser.add_argument("--overlap", type=float, default=2)
    return parser.parse_args(argv)


def accumulate(total, weights, probs, centre, half, shape):
    """Adds a patch's probabilities (K, P, P, P) on its box to the image-grid sums."""
    lo = [max(0, int(np.ceil(((c - h + 1) * n - 1) / 2))) for c, h, n in zip(centre, half, shape)]
    hi = [min(n - 1, int(np.floor(((c + h + 1) * n - 1) / 2))) for c, h, n in zip(centre, half, shape)]
    if any(a > b for a, b in zip(lo, hi)):
        return
    axes = [((2 * np.arange(a, b + 1) + 1) / n - 1 - c) / h for a, b, n, c, h in zip(lo, hi, shape, centre, half)]
    mesh = torch.stack(torch.meshgrid(*[torch.tensor(a, dtype=torch.float32) for a in axes], indexing="ij"), -1)
    values = sample(probs[None], mesh[None].to(probs.device))[0].cpu()
    w = torch.ones(values.shape[1:])
    for axis, t in enumerate(axes):
        ramp = torch.tensor(np.maximum(1 - np.abs(t), EDGE_WEIGHT), dtype=torch.float32)
        w = w * ramp.view([-1 if i == axis else 1 for i in range(3)])
    region = tuple(slice(a, b + 1) for a, b in zip(lo, hi))
    total[(slice(None),) + region] += values * w
    weights[region] += w


def averaged_parents(chunk, grids):
    """Each box's parent channels, averaged over the parents that contain it (chunk: (c, h, parents))."""
    pairs = [(i, p) for i, (_, _, parents) in enumerate(chunk) for p in parents]
    index = torch.tensor([i for i, _ in pairs])
    channels = parent_channels(torch.stack([p[2] for _, p in pairs]), [p[0] for _, p in pairs],
                               [p[1] for _, p in pairs], grids[index])
    summed = torch.zeros((len(chunk),) + channels.shape[1:]).index_add_(0, index, channels)
    return summed / torch.bincount(index, minlength=len(chunk)).view(-1, 1, 1, 1, 1)


def predict(model, volume, scheme, classes, repetitions, seed=0, overlap=2):
    patch, depth = scheme["patch"], scheme["depth"]
    total = torch.zeros((classes,) + volume.shape)
    weights = torch.zeros(volume.shape)
    rng = np.random.default_rng(seed)
    for repetition in range(repetitions):
        # (centre, half, probabilities) of the level above; the root is the whole field of view.
        level_boxes = [(np.zeros(3), np.ones(3) * scheme["fov"][0], [])]
        for level in range(depth):
            if level > 0:
                level_boxes = tile(scheme, level, [own for _, _, own in level_boxes],
                                   rng if repetition > 0 else None, overlap)
            outputs = []
            for start in range(0, len(level_boxes), BATCH):
                chunk = level_boxes[start : start + BATCH]
                grids = torch.stack([patch_grid(c, h, patch) for c, h, _ in chunk])
                image = torch.cat([volume.level_input("image", grids[i : i + 1], h, patch) for i, (_, h, _) in enumerate(chunk)])
                if level > 0:
                    image = torch.cat([image, averaged_parents(chunk, grids)], 1)
                probs = F.softmax(level_logits(model, level, image), 1)
                if level == depth - 1:
                    # The finest level goes straight into the sums: keeping its hundreds of patches would
                    # cost gigabytes.
                    for (c, h, _), p in zip(chunk, probs):
                        accumulate(total, weights, p, c, h, volume.shape)
                else:
                    outputs.extend(probs)
            # Each box keeps its own (centre, half, probabilities) as the parent of the next level.
            level_boxes = [(c, h, (c, h, p)) for (c, h, _), p in zip(level_boxes, outputs)]
    return total / weights.clamp_min(1e-6)


def main(argv):
    args = parse(argv)
    model_info, model_path, weights_path = read_model(args.model)
    names = [c["name"] for c in model_info["contrasts"]]
    if len(args.contrasts) != len(names):
        raise PatchworkError(f"the model was trained on {len(names)} contrasts ({', '.join(names)}), "
                             f"given {len(args.contrasts)} — give them in that order")
    repetitions = int(args.repetitions)
    if repetitions < 1:
        raise PatchworkError(f"repetitions must be at least 1, not {args.repetitions}")
    if not 1 <= args.overlap <= 8:
        raise PatchworkError(f"overlap must be between 1 and 8 patches per box side, not {args.overlap:g}")
    network = model_info["network"]
    on = device()
    model = build(network).to(on)
    try:
        model.load_state_dict(torch.load(weights_path, map_location=on))
    except Exception as error:
        raise PatchworkError(f"the weights {weights_path} do not fit the network of {model_path} ({error}) — retrain") from None
    model.eval()
    import nibabel as nib

    image, shape, affine = load_contrasts(args.contrasts, names)
    started = time.monotonic()
    with torch.inference_mode():
        probs = predict(model, Volume(image, device=on), model_info["scheme"], network["out_channels"], repetitions,
                            overlap=args.overlap)
    values = np.array(model_info["labels"]["values"])
    header = nib.load(args.contrasts[0]).header.copy()
    if args.type == "mask":
        data = values[probs.argmax(0).numpy()].astype(np.int16)
        header.set_data_dtype(np.int16)
    else:
        data = np.moveaxis(probs.numpy(), 0, -1).astype(np.float32)
        header.set_data_dtype(np.float32)
    header.set_slope_inter(1, 0)
    print(f"applied in {time.monotonic() - started:.1f} s on a {shape} grid", flush=True)
    write_atomic(args.output, lambda tmp: nib.save(nib.Nifti1Image(data, affine, header), tmp))
    write_json(args.provenance, {
        "model": os.path.abspath(model_path), "weights": os.path.abspath(weights_path),
        "weights_sha256": model_info["weights"]["sha256"], "model_created": model_info.get("created"),
        "trained_epochs": model_info.get("trained_epochs"), "contrasts": [os.path.abspath(c) for c in args.contrasts],
        "output": os.path.abspath(args.output), "type": args.type, "repetitions": repetitions, "overlap": args.overlap,
        "parent": parent_scheme(network),
        "labels": model_info["labels"], "torch": torch.__version__,
        "applied": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    })


if __name__ == "__main__":
    torch.set_num_threads(threads())
    try:
        main(sys.argv[1:])
    except PatchworkError as error:
        fail(str(error))
