"""The networks of a patchwork: one small 3D U-Net per level of the patch hierarchy.

Level 0 sees the image only; every finer level sees its image patch plus the parent level's class
probabilities (cropped to the patch and upsampled) as extra channels, as in Deep Neural Patchworks
(Reisert et al. 2022).
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


class Patchwork(nn.Module):
    """One U-Net per level; level k > 0 takes contrasts + classes input channels."""

    def __init__(self, contrasts, classes, depth, features):
        super().__init__()
        self.levels = nn.ModuleList(
            UNet3D(contrasts + (classes if level > 0 else 0), classes, features) for level in range(depth)
        )


def network_description(contrasts, classes, depth, features):
    """The `network` block of model_patchwork.json: enough to rebuild the module before loading weights."""
    model = Patchwork(contrasts, classes, depth, features)
    return {
        "kind": "patchwork-unet3d",
        "levels": depth,
        "features": list(features),
        "in_channels": [contrasts + (classes if level > 0 else 0) for level in range(depth)],
        "out_channels": classes,
        "block": "2 x (conv3 + instance norm + leaky ReLU 0.1), max-pool down, transposed-conv up",
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def build(network):
    return Patchwork(
        network["in_channels"][0], network["out_channels"], network["levels"], network["features"]
    )
