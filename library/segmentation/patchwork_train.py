"""Trains a patchwork 3D segmentation model over a set of studies (library job segmentation/patchwork-train).

    patchwork_train.py --model DIR [--list FILE | --contrast1 F... [--contrast2 F...] --labels F...]
                       [--iterations 2500] [--scheme "depth=auto patch=32 scale=0.5 features=8,16,32 parent=auto"]

A group-level job: --contrast1, --contrast2 and --labels are the lists of every selected study's files
(inside a run they are paired by the study the catalog says each belongs to; see patchwork_data.py).

Writes into DIR, after every epoch: weights.pt, checkpoint.pt (weights, optimiser, random state),
loss.json, loss.png and model_patchwork.json last. Run again on the same DIR it resumes from the last
checkpoint (after a kill or with more iterations); a DIR holding a model of other contrasts, labels or
scheme is refused. A folder of a model saved before the parent option (a plain one) resumes with
parent=plain in the scheme; without it the training stops and says so.
"""

import argparse
import datetime
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from loss_plot import loss_png
from patchwork_common import (device, threads, CHECKPOINT_FILE, MODEL_FILE, MODEL_FORMAT, NORMALISATION_PERCENTILE,
                              WEIGHTS_FILE, PatchworkError, fail, sha256_of, write_atomic, write_json)
from patchwork_data import contrast_name, load_training, studies_from_files, studies_from_list
from patchwork_net import PARENT_SCHEMES, Patchwork, level_logits, network_description, parent_scheme
from patchwork_patches import auto_depth, default_scheme, parent_channels, patch_grid, random_tree

AUGMENTATION = {"intensity_scale": [0.85, 1.15], "noise_sd": 0.03, "per": "patch tree"}
# Fixed trees per validation study: the same every epoch, so the curve shows learning, not sampling.
VALIDATION_TREES = 4


def parse(argv):
    parser = argparse.ArgumentParser(prog="patchwork_train.py")
    parser.add_argument("--model", required=True)
    parser.add_argument("--model-file", default="")
    parser.add_argument("--loss-png", default="")
    parser.add_argument("--list", nargs="?", default="")
    # Lists: an empty optional FILE argument gives no word at all.
    parser.add_argument("--contrast1", nargs="*", default=[])
    parser.add_argument("--contrast2", nargs="*", default=[])
    parser.add_argument("--labels", nargs="*", default=[])
    parser.add_argument("--iterations", type=float, default=2500)
    parser.add_argument("--scheme", nargs="?", default="")
    return parser.parse_args(argv)


def parse_scheme(text):
    """`depth=auto patch=32 scale=0.5 features=8,16,32 batch=4 epoch=50 lr=0.002 balance=0.5 seed=1 minutes=0
    parent=auto` (depth auto: from the training images' size, see auto_depth; minutes: stop at the
    first epoch end after this much training time, 0 = no limit; parent: how finer levels use their
    parent's prediction, residual or plain, see patchwork_net; auto: see parent_for). Returns (options, features); the depth is
    resolved by scheme_for once the images are loaded."""
    options = {"depth": "auto", "patch": 32, "scale": 0.5, "features": "8,16,32", "batch": 4, "epoch": 50,
               "lr": 0.002, "balance": 0.5, "seed": 1, "minutes": 0, "parent": "auto"}
    for word in text.replace(",", " , ").replace(" , ", ",").split():
        key, _, value = word.partition("=")
        if key not in options or value == "":
            raise PatchworkError(f"unknown scheme option '{word}' — use key=value with keys {', '.join(options)}")
        options[key] = value
    try:
        features = [int(f) for f in str(options["features"]).split(",")]
        opts = {k: (float(v) if k in ("scale", "lr", "balance", "minutes") else int(v)) for k, v in options.items()
                if k not in ("features", "depth", "parent")}
        opts["depth"] = None if options["depth"] == "auto" else int(options["depth"])
    except ValueError:
        raise PatchworkError(f"scheme '{text}': every value must be a number (features: numbers joined by commas; depth may be auto)") from None
    if options["parent"] not in PARENT_SCHEMES + ("auto",):
        raise PatchworkError(
            f"scheme: parent={options['parent']} — use parent=auto (the default: residual at depth 3 and more, "
            "plain at depth 2), parent=residual or parent=plain"
        )
    opts["parent"] = options["parent"]
    if opts["patch"] % (2 ** (len(features) - 1)) != 0 or opts["patch"] < 8:
        raise PatchworkError(f"scheme: patch={opts['patch']} must be at least 8 and divide by {2 ** (len(features) - 1)}")
    if not (0 < opts["scale"] <= 1) or (opts["depth"] is not None and opts["depth"] < 1) or opts["batch"] < 1 or opts["epoch"] < 1:
        raise PatchworkError("scheme: need 0 < scale <= 1 and depth, batch, epoch of at least 1")
    return opts, features


def parent_for(depth, parent):
    """The parent scheme `auto` stands for. Measured on the synthetic heads at 350 iterations
    (docs/benchmarks.md): at depth 3 residual parents gave held-out brain Dice 0.995 against plain 0.978;
    at depth 2 the residual scheme learnt CSF far more slowly (0.593 against 0.897), the brain alike."""
    if parent != "auto":
        return parent
    return "residual" if depth >= 3 else "plain"


def scheme_for(opts, volumes):
    """The patch scheme: the given depth, or the one auto_depth derives from the training images, and the
    parent scheme for that depth."""
    depth = opts["depth"] if opts["depth"] is not None else auto_depth([v.shape for v in volumes], opts["patch"], opts["scale"])
    return {**default_scheme(depth, opts["patch"], opts["scale"]), "depth_rule": "given" if opts["depth"] else "auto",
            "parent": parent_for(depth, opts["parent"]), "parent_rule": "auto" if opts["parent"] == "auto" else "given"}


def forward(model, volumes, trees, scheme, augment_rng=None):
    """Mean soft cross-entropy over the levels of a batch of trees (one volume per tree)."""
    patch, losses, probs, previous = scheme["patch"], [], None, None
    for level in range(len(model.levels)):
        boxes = [tree[level] for tree in trees]
        grids = torch.stack([patch_grid(c, h, patch) for c, h in boxes])
        image = torch.cat([v.level_input("image", grids[i : i + 1], boxes[i][1], patch) for i, v in enumerate(volumes)])
        target = torch.cat([v.level_input("target", grids[i : i + 1], boxes[i][1], patch) for i, v in enumerate(volumes)])
        if augment_rng is not None:
            lo, hi = AUGMENTATION["intensity_scale"]
            scale = torch.tensor(augment_rng.uniform(lo, hi, len(trees)), dtype=torch.float32, device=image.device)
            scale = scale.view(-1, 1, 1, 1, 1)
            image = image * scale + AUGMENTATION["noise_sd"] * torch.randn_like(image)
        if level > 0:
            image = torch.cat([image, parent_channels(probs, [b[0] for b in previous], [b[1] for b in previous], grids)], 1)
        logits = level_logits(model, level, image)
        losses.append(-(target * F.log_softmax(logits, 1)).sum(1).mean())
        probs, previous = F.softmax(logits, 1).detach(), boxes
    return torch.stack(losses).mean()


def describe(args, scheme, features, opts, contrasts, values, studies, network):
    return {
        "format": MODEL_FORMAT,
        "contrasts": [{"index": i, "name": n} for i, n in enumerate(contrasts)],
        "labels": {"values": values, "names": [str(v) for v in values], "kind": "one image of labels" if len(args.label_names) == 1 else "binary masks", "sources": args.label_names},
        "scheme": {**scheme, "voxel_mm_first_study": None, "interpolation": "trilinear (labels: one-hot, trilinear)",
                   "coordinates": "each image's own voxel grid, normalised to [-1, 1] per axis"},
        "normalisation": {"method": "divide by percentile of non-zero voxels", "percentile": NORMALISATION_PERCENTILE},
        "network": network,
        "training": {"iterations": int(args.iterations), "iterations_done": 0, "batch": opts["batch"],
                     "iterations_per_epoch": opts["epoch"], "optimiser": "Adam", "lr": opts["lr"],
                     "balance": opts["balance"], "seed": opts["seed"], "augmentation": AUGMENTATION,
                     "loss": "soft cross-entropy, mean over levels"},
        "trained_epochs": 0, "trainloss_hist": [], "validloss_hist": [],
        "weights": {"file": WEIGHTS_FILE, "sha256": None},
        "studies": {"train": [s["id"] for s in studies[0]], "validation": [s["id"] for s in studies[1]]},
        "torch": torch.__version__, "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "apply_defaults": {"output": "mask", "repetitions": 1, "tiling": "tree", "grid": "the first contrast's"},
    }


def identity(model, parent=True):
    """What must match for a model folder to be resumed (a network block without `parent` is a plain one;
    parent=False leaves the parent scheme out)."""
    network = {**model["network"], "parent": parent_scheme(model["network"]) if parent else None}
    return [model["contrasts"], model["labels"]["values"], model["scheme"]["depth"], model["scheme"]["patch"],
            model["scheme"]["fov"], network]


def main(argv):
    args = parse(argv)
    opts, features = parse_scheme(args.scheme)
    if args.list:
        studies = studies_from_list(args.list)
    else:
        if not args.contrast1 or not args.labels:
            raise PatchworkError("give the studies' contrast and label files (f1, f2), or a training list file (f4)")
        studies = studies_from_files(args.contrast1, args.contrast2, args.labels)
    if len(studies) == 0:
        raise PatchworkError("no training study has every contrast and label file — check the selection and patterns")
    names = [contrast_name(p) for p in studies[0]["contrasts"]]
    args.label_names = [contrast_name(p) for p in studies[0]["labels"]]
    rng = np.random.default_rng(opts["seed"])
    order = list(rng.permutation(len(studies)))
    held = max(1, len(studies) // 5) if len(studies) >= 3 else 0
    split = ([studies[i] for i in order[held:]], [studies[i] for i in order[:held]])
    print(f"loading {len(studies)} studies ({len(split[0])} train, {len(split[1])} validation)", flush=True)
    on = device()
    volumes, values, class_voxels = load_training(split[0] + split[1], names, on)
    train_n = len(split[0])
    scheme = scheme_for(opts, volumes)
    torch.manual_seed(opts["seed"])
    model = Patchwork(len(names), len(values), scheme["depth"], features, scheme["parent"]).to(on)
    network = network_description(len(names), len(values), scheme["depth"], features, scheme["parent"])
    optimiser = torch.optim.Adam(model.parameters(), lr=opts["lr"])
    description = describe(args, scheme, features, opts, names, values, split, network)
    os.makedirs(args.model, exist_ok=True)
    model_path = args.model_file or os.path.join(args.model, MODEL_FILE)
    args.loss_png = args.loss_png or os.path.join(args.model, "loss.png")
    checkpoint_path = os.path.join(args.model, CHECKPOINT_FILE)
    done = 0
    if os.path.exists(checkpoint_path):
        try:
            state = torch.load(checkpoint_path, map_location=on)
        except Exception as error:
            raise PatchworkError(f"the checkpoint {checkpoint_path} is damaged ({error}) — delete it to start over") from None
        saved = parent_scheme(state["description"]["network"])
        if saved != scheme["parent"] and identity(state["description"], False) == identity(description, False):
            old = "" if "parent" in state["description"]["network"] else " (saved before the parent option, whose models are all plain)"
            raise PatchworkError(
                f"{args.model} holds a model with parent={saved}{old}, the scheme asks for parent={scheme['parent']} — "
                f"add parent={saved} to the scheme to resume it, or choose a new model folder for a parent={scheme['parent']} model"
            )
        if identity(state["description"]) != identity(description):
            raise PatchworkError(f"{args.model} holds a model of other contrasts, labels or scheme — choose a new model folder or delete it")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        rng.bit_generator.state = state["numpy_rng"]
        torch.set_rng_state(state["torch_rng"].cpu())
        done = state["iterations_done"]
        description = {**state["description"], "training": {**state["description"]["training"], "iterations": int(args.iterations)}}
        print(f"resuming from iteration {done} (epoch {description['trained_epochs']})", flush=True)
    description["training"]["device"] = str(on)
    first = volumes[0]
    description["scheme"]["voxel_mm_first_study"] = [
        [round(f * n * mm / p, 3) for n, mm, p in zip(first.shape, first.voxel_mm, scheme["patch"])] for f in scheme["fov"]
    ]
    validation_trees = [(v, random_tree(scheme, v.shape, cv, np.random.default_rng(1000 + i), opts["balance"]))
                        for i, (v, cv) in enumerate(zip(volumes[train_n:], class_voxels[train_n:])) for _ in range(VALIDATION_TREES)]
    total, started, epoch_losses = int(args.iterations), time.monotonic(), []
    budget_end = time.monotonic() + 60 * opts["minutes"] if opts["minutes"] > 0 else None
    print(f"training {network['parameters']} parameters, {len(values)} classes, scheme {scheme}, {total} iterations on {on}", flush=True)
    while done < total:
        model.train()
        picks = rng.integers(train_n, size=opts["batch"])
        trees = [random_tree(scheme, volumes[p].shape, class_voxels[p], rng, opts["balance"]) for p in picks]
        loss = forward(model, [volumes[p] for p in picks], trees, scheme, rng)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        done += 1
        epoch_losses.append(float(loss))
        elapsed = time.monotonic() - started
        if done % 10 == 0 or done == total:
            rate = len(epoch_losses) / elapsed if elapsed > 0 else 0.0
            left = (total - done) / rate if rate > 0 else 0.0
            print(f"iteration {done}/{total} loss {float(loss):.4f} {rate:.2f} it/s time left {left:.0f} s", flush=True)
        if done % opts["epoch"] == 0 or done == total:
            save_epoch(model, optimiser, rng, description, done, epoch_losses, validation_trees, scheme, args)
            started, epoch_losses = time.monotonic(), []
            if budget_end is not None and time.monotonic() > budget_end and done < total:
                print(f"time budget of {opts['minutes']:g} minutes spent after {done} iterations; "
                      "run again with the same model folder to go on", flush=True)
                break
    print(f"model written: {model_path}", flush=True)


def save_epoch(model, optimiser, rng, description, done, losses, validation_trees, scheme, args):
    folder = args.model
    model.eval()
    with torch.no_grad():
        valid = [float(forward(model, [v], [t], scheme)) for v, t in validation_trees]
    description["trainloss_hist"].append(float(np.mean(losses)))
    description["validloss_hist"].append(float(np.mean(valid)) if valid else None)
    description["trained_epochs"] += 1
    description["training"]["iterations_done"] = done
    description["updated"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    weights = os.path.join(folder, WEIGHTS_FILE)
    write_atomic(weights, lambda tmp: torch.save(model.state_dict(), tmp))
    description["weights"]["sha256"] = sha256_of(weights)
    state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "numpy_rng": rng.bit_generator.state,
             "torch_rng": torch.get_rng_state(), "iterations_done": done, "description": description}
    write_atomic(os.path.join(folder, CHECKPOINT_FILE), lambda tmp: torch.save(state, tmp))
    curves = {"epoch": list(range(1, description["trained_epochs"] + 1)), "train": description["trainloss_hist"],
              "validation": description["validloss_hist"], "iterations_per_epoch": description["training"]["iterations_per_epoch"]}
    write_json(os.path.join(folder, "loss.json"), curves)
    png = loss_png(description["trainloss_hist"], [v for v in description["validloss_hist"] if v is not None])
    write_atomic(args.loss_png, lambda tmp: open(tmp, "wb").write(png))
    # The description goes last: whoever reads it finds the weights it names.
    write_json(args.model_file or os.path.join(folder, MODEL_FILE), description)
    print(f"epoch {description['trained_epochs']} saved: train loss {description['trainloss_hist'][-1]:.4f}"
          + (f" validation loss {description['validloss_hist'][-1]:.4f}" if valid else ""), flush=True)


if __name__ == "__main__":
    torch.set_num_threads(threads())
    try:
        main(sys.argv[1:])
    except PatchworkError as error:
        fail(str(error))
