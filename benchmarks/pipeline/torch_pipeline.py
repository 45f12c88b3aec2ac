#!/usr/bin/env python3
"""torchvision's ImageFolder + DataLoader on the same files and with the same transforms as
vgg4j's ImageBatches (benchmarks/pipeline/PipelineBench.java). Prints one JSON line per mode.

eval:  shorter side to 256 (224 / 0.875), centre crop 224, to tensor, normalise
train: shorter side S uniform in [256, 512] (the paper's scale jittering), random crop 224,
       horizontal flip, to tensor, normalise
Usage: torch_pipeline.py DIR MODE(eval|train) [BATCH] [WORKERS]
"""
import json
import random
import sys
import time

import torch
import torchvision.transforms as T
from torchvision.datasets import ImageFolder


class RandomShorterSide:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __call__(self, img):
        return T.functional.resize(img, random.randint(self.lo, self.hi))


def main():
    root, mode = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    if mode == "eval":
        tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), norm])
    else:
        tf = T.Compose([RandomShorterSide(256, 512), T.RandomCrop(224), T.RandomHorizontalFlip(), T.ToTensor(), norm])
    torch.set_num_threads(1)
    data = ImageFolder(root, transform=tf)
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=(mode == "train"), num_workers=workers)
    n = 0
    t0 = None
    for i, (x, y) in enumerate(loader):
        if i == 1:  # the first batch includes starting the workers
            t0 = time.perf_counter()
        elif i > 1:
            n += x.shape[0]
    seconds = time.perf_counter() - t0
    print(json.dumps({"peer": "torchvision", "mode": mode, "images": n, "seconds": seconds, "imagesPerSecond": n / seconds}))


if __name__ == "__main__":
    main()
