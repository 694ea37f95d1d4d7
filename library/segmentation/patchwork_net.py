"""The networks of a patchwork: one small 3D U-Net per level of the patch hierarchy.

Level 0 sees the image only; every finer level sees its image patch plus the parent level's class
probabilities (cropped to the patch and upsampled) as extra channels, as in Deep Neural Patchworks
(Reisert et al. 2022).

How a finer level uses its parent (`parent` of the network description):
- `residual` (the default since 2026-12-04): its logits are the U-Net's output plus the log of the parent's
  probabilities, so a level predicts a correction of its parent's prediction, and a U-Net of zero weights
  reproduces the parent. Its last layer starts at zero: an untrained level starts as its parent.
- `plain` (models saved before, whose description has no `parent`): the U-Net's output alone; the
  parent reaches it only as input channels. On the synthetic heads at depth 3 and 350 iterations the
  plain scheme reached held-out brain Dice 0.978, the residual one 0.995 (both with the edge share of
  patchwork_patches.random_tree; docs/benchmarks.md). At depth 2 the residual scheme learnt CSF more
  slowly (0.59 against 0.90).
"""

import torch
from torch import nn


def block(inputs, outputs):
    # Instance norm, not batch norm: batches are a few patches from different levels and scales.
    return nn.Sequential(
        nn.Conv3d(inputs, outputs, 3, padding=1),
        nn.InstanceNorm3d(outputs, affine=True),
        nn.LeakyReLU(0.1, inplace=True),
        nn.Conv3d(outputs, outputs, 3, padding=1),
        nn.InstanceNorm3d(outputs, affine=True),
        nn.LeakyReLU(0.1, inplace=True),
    )


class UNet3D(nn.Module):
    """A 3D U-Net with len(features) resolutions; patch sides must divide by 2**(len(features)-1)."""

    def __init__(self, inputs, classes, features):
        super().__init__()
        self.down = nn.ModuleList()
        channels = inputs
        for f in features:
            self.down.append(block(channels, f))
            channels = f
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for f in reversed(features[:-1]):
            self.up.append(nn.ConvTranspose3d(channels, f, 2, stride=2))
            self.merge.append(block(2 * f, f))
            channels = f
        self.head = nn.Conv3d(channels, classes, 1)

    def forward(self, x):
        skips = []
        for i, layer in enumerate(self.down):
            x = layer(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = nn.functional.max_pool3d(x, 2)
        for up, merge in zip(self.up, self.merge):
            x = merge(torch.cat([up(x), skips.pop()], dim=1))
        return self.head(x)


PARENT_SCHEMES = ("residual", "plain")
# The parent's probabilities are clamped here before their log: a parent's near-certain "no" (softmax
# outputs of 1e-8) would otherwise take a child logit of +18 to overturn.
PARENT_FLOOR = 1e-4


class Patchwork(nn.Module):
    """One U-Net per level; level k > 0 takes contrasts + classes input channels (the parent's
    probabilities last); `parent` says how a finer level uses them (see the module's text)."""

    def __init__(self, contrasts, classes, depth, features, parent="plain"):
        super().__init__()
        if parent not in PARENT_SCHEMES:
            raise ValueError(f"parent must be one of {PARENT_SCHEMES}, not {parent!r}")
        self.parent = parent
        self.levels = nn.ModuleList(
            UNet3D(contrasts + (classes if level > 0 else 0), classes, features) for level in range(depth)
        )
        if parent == "residual":
            for net in list(self.levels)[1:]:
                nn.init.zeros_(net.head.weight)
                nn.init.zeros_(net.head.bias)


def level_logits(model, level, x):
    """Level `level`'s logits for its input x (contrasts, then at level > 0 the parent's probabilities).
    Any module with `levels` works; without a `parent` attribute it is a plain one."""
    logits = model.levels[level](x)
    if level > 0 and getattr(model, "parent", "plain") == "residual":
        parent = x[:, x.shape[1] - logits.shape[1] :]
        logits = logits + torch.log(parent.clamp_min(PARENT_FLOOR))
    return logits


def network_description(contrasts, classes, depth, features, parent="residual"):
    """The `network` block of model_patchwork.json: enough to rebuild the module before loading weights."""
    model = Patchwork(contrasts, classes, depth, features, parent)
    return {
        "kind": "patchwork-unet3d",
        "levels": depth,
        "features": list(features),
        "in_channels": [contrasts + (classes if level > 0 else 0) for level in range(depth)],
        "out_channels": classes,
        "block": "2 x (conv3 + instance norm + leaky ReLU 0.1), max-pool down, transposed-conv up",
        "parent": parent,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def parent_scheme(network):
    """The network's parent scheme; descriptions written before the option existed are plain."""
    return network.get("parent", "plain")


def build(network):
    return Patchwork(
        network["in_channels"][0], network["out_channels"], network["levels"], network["features"],
        parent_scheme(network),
    )
