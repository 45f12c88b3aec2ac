#!/usr/bin/env python3
"""Photo-sized JPEGs for the data-pipeline benchmark: N images per class in class folders.

Kaggle's dogs-vs-cats photos are about 500x375 JPEGs of 20-60 KB; these have the same size and a
similar file size (smooth gradients, shapes and sensor-like noise), so decoding costs the same.
Usage: make_images.py OUT_DIR [IMAGES_PER_CLASS] [CLASSES]
"""
import os
import sys

import numpy as np
from PIL import Image


def image(rng, w=500, h=375):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(0, 255, 3)
    gx, gy = rng.uniform(-0.3, 0.3, 2)
    img = np.stack([base[c] + gx * x + gy * y for c in range(3)], axis=-1)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 120)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        img[mask] = rng.uniform(0, 255, 3)
    img += rng.normal(0, 8, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def main():
    out = sys.argv[1]
    per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    classes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    rng = np.random.default_rng(0)
    for c in range(classes):
        d = os.path.join(out, "class%d" % c)
        os.makedirs(d, exist_ok=True)
        for i in range(per_class):
            image(rng).save(os.path.join(d, "%05d.jpg" % i), quality=90)


if __name__ == "__main__":
    main()
