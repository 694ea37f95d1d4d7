"""Patch trees: nested boxes from the whole field of view (level 0) down to small high-resolution ones.

Boxes live in the image's normalised coordinates ([-1, 1] per axis from the outer edge of the first
voxel to that of the last, grid_sample's align_corners=False): a box is a centre and a half-size, and
level k's half-size is the scheme's field-of-view fraction `fov[k]` of the whole image. A patch is the
box sampled on `patch` voxels per axis, so the voxel size of each level follows from the image's extent.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F


# Levels at most that depth=auto gives: depth 4 applies about 9 times slower than depth 3 (1 + 27 + 343
# + 3375 patches against 1 + 27 + 343; 8.7 x the CPU on ch2) for +0.003 brain Dice on a held-out copy
# of 1 mm Colin27 with residual parents (docs/benchmarks.md). 1 mm brains of 181-256 voxels thus get 3
# levels (finest about 1.4-2 mm), not the 4 that would sample them at their own resolution; give
# depth=4 for that.
MAX_AUTO_DEPTH = 3


def default_scheme(depth=3, patch=32, scale=0.5):
    """Depth levels of `patch`^3 voxels, each level's box `scale` times its parent's."""
    return {"depth": depth, "patch": [patch] * 3, "fov": [scale**k for k in range(depth)]}


def auto_depth(shapes, patch=32, scale=0.5):
    """The default depth for images of these shapes: the fewest levels whose finest one samples the
    longest axis at the image's own resolution or finer (box of scale^(depth-1) of the axis on `patch`
    voxels). A level finer than the data adds cost and no detail; a coarser finest level cannot draw
    edges the data resolve; at most MAX_AUTO_DEPTH (3) levels. 1 mm brains of 181-256 voxels get 3 levels
    (the rule alone would give 4), the 64-voxel synthetic heads 2, an image no larger than a patch 1 (a
    plain U-Net)."""
    longest = max(max(shape) for shape in shapes)
    if longest <= patch or scale >= 1:
        return 1
    return min(MAX_AUTO_DEPTH, 1 + math.ceil(math.log(longest / patch) / math.log(1 / scale) - 1e-9))


def patch_grid(centre, half, patch):
    """(X, Y, Z, 3) normalised (x, y, z) coordinates of the voxel centres of a patch on a box."""
    axes = [
        torch.tensor(c + h * ((2 * np.arange(p) + 1) / p - 1), dtype=torch.float32)
        for c, h, p in zip(centre, half, patch)
    ]
    return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)


def sample(volume, grids, mode="bilinear"):
    """volume (N or 1, C, X, Y, Z) at grids (N, X, Y, Z, 3) -> (N, C, X, Y, Z)."""
    # grid_sample's last grid coordinate indexes the input's first spatial axis: (x, y, z) -> (z, y, x).
    if volume.shape[0] != grids.shape[0]:
        volume = volume.expand(grids.shape[0], *volume.shape[1:])
    return F.grid_sample(volume, grids.flip(-1), mode=mode, padding_mode="border", align_corners=False)


class Volume:
    """One study's contrasts (and, for training, one-hot labels) with average-pooled copies for coarse levels."""

    def __init__(self, image, target=None, device="cpu"):
        self.image = torch.from_numpy(image)[None].to(device)  # (1, C, X, Y, Z)
        self.target = None if target is None else torch.from_numpy(target)[None].to(device)
        self.shape = tuple(image.shape[1:])
        self._pooled = {}

    def level_input(self, name, grids, half, patch):
        """The image or target sampled on the patches `grids`; averaged first where a patch voxel spans
        several image voxels, so coarse levels see the mean, not an aliased pick."""
        factor = tuple(max(1, int(h * n / p)) for h, n, p in zip(half, self.shape, patch))
        key = (name, factor)
        if key not in self._pooled:
            source = self.image if name == "image" else self.target
            # ceil_mode keeps partial edge windows, so the pooled volume spans the same extent to within
            # one pooled voxel: a sub-voxel shift at a level that gives context only.
            self._pooled[key] = (
                source if factor == (1, 1, 1) else F.avg_pool3d(source, factor, factor, ceil_mode=True)
            )
        return sample(self._pooled[key], grids.to(self.image.device))


def parent_channels(parent_probs, parent_centres, parent_halves, child_grids):
    """The parent level's probabilities (N, K, P, P, P) cropped to each child patch and upsampled."""
    on = parent_probs.device
    centres = torch.tensor(np.array(parent_centres), dtype=torch.float32, device=on).view(-1, 1, 1, 1, 3)
    halves = torch.tensor(np.array(parent_halves), dtype=torch.float32, device=on).view(-1, 1, 1, 1, 3)
    return sample(parent_probs, (child_grids.to(on) - centres) / halves)


def tile_offsets(scheme, level, overlap=2):
    """The centres apply tiles `level` at along each axis (normalised coordinates): one grid from edge
    to edge of the field of view whose step is at most 1/`overlap` of a box."""
    half = scheme["fov"][level]
    room = scheme["fov"][0] - half
    count = 1 if room <= 1e-9 else math.ceil(overlap * room / half - 1e-9) + 1
    return np.linspace(-room, room, count) if count > 1 else np.zeros(1)


def random_tree(scheme, shape, class_voxels, rng, balance):
    """[(centre, half)] per level, each child inside its parent. The finest box is drawn first: with
    probability `balance` centred (as far as its range allows) on a voxel of a randomly chosen label
    class, so rare classes are seen as often as frequent ones, else as apply tiles it: per axis, at
    either edge of its range as often as apply's offsets are (2 of 7 at depth 3, 2 of 3 at depth 2),
    else uniformly inside. Each coarser box then lies uniformly among the positions that contain its
    child.
    Drawing top-down instead (each child uniform inside its parent) made the finest boxes of depth 3
    and more a sum of uniforms, so positions near the field of view's corners, which apply tiles as
    often as the middle, were almost never trained: there the finest level labelled background as
    tissue (brain Dice 0.55 at depth 3 against 0.98 at depth 2). Uniform leaf positions (the next
    draw) never put a box on the border, where apply puts 2 of its 7 offsets per axis at depth 3 (8 of
    its 343 tiles in the corners); drawing the edges with apply's share took depth 3 (plain parents)
    from brain Dice 0.82 to 0.978 on the synthetic heads."""
    depth, root = scheme["depth"], scheme["fov"][0]
    halves = [np.ones(3) * scheme["fov"][level] for level in range(depth)]
    rooms = [np.maximum(root - half, 0) for half in halves]
    if class_voxels and rng.random() < balance:
        voxels = class_voxels[rng.integers(len(class_voxels))]
        voxel = voxels[rng.integers(len(voxels))]
        wanted = (2 * voxel + 1) / np.array(shape) - 1
    else:
        wanted = rng.uniform(-1, 1, 3) * rooms[-1]
        offsets = tile_offsets(scheme, depth - 1)
        if len(offsets) > 1:
            edge = rng.random(3) < 2 / len(offsets)
            wanted = np.where(edge, np.sign(wanted) * rooms[-1], wanted)
    centres = [np.zeros(3)] * depth
    centres[-1] = np.clip(wanted, -rooms[-1], rooms[-1])
    for level in range(depth - 2, 0, -1):
        slack = np.maximum(halves[level] - halves[level + 1], 0)
        lo = np.maximum(centres[level + 1] - slack, -rooms[level])
        hi = np.minimum(centres[level + 1] + slack, rooms[level])
        centres[level] = lo + rng.uniform(0, 1, 3) * np.maximum(hi - lo, 0)
    return list(zip(centres, halves))


def level_boxes(scheme, level, parents, jitter_rng=None, overlap=2):
    """Boxes of `level` tiling the whole field of view on one grid whose step is at most 1/`overlap` of a
    box, so every voxel is seen by `overlap` patches per axis (8 in 3D at the default 2) away from the
    image's edges; each comes with the list of
    the `parents` ((centre, half, ...) tuples of level - 1) that contain it (the nearest one if none does,
    as after a random shift), whose predictions it averages as context.
    Tiling each parent separately instead (ceil(ratio) + 1 children per axis) put 3^3 children in each of
    27 parents, 729 finest patches at depth 3 with most positions twice: 343 cover the same."""
    half = scheme["fov"][level]
    room = scheme["fov"][0] - half
    offsets = tile_offsets(scheme, level, overlap)
    count = len(offsets)
    axes = [offsets] * 3
    if jitter_rng is not None and count > 1:
        # Repetitions shift the grid by up to half a step per axis.
        step = 2 * room / (count - 1)
        axes = [np.clip(offsets + jitter_rng.uniform(-step / 2, step / 2), -room, room) for _ in range(3)]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    centres = np.array([p[0] for p in parents])
    halves = np.array([p[1] for p in parents])
    distance = np.abs(mesh[:, None, :] - centres[None])
    inside = (distance + half <= halves[None] + 1e-6).all(-1)
    nearest = distance.max(-1).argmin(1)
    return [
        (centre, np.ones(3) * half, [parents[k] for k in (np.flatnonzero(row) if row.any() else [near])])
        for centre, row, near in zip(mesh, inside, nearest)
    ]
