#!/usr/bin/python3
"""The PyTorch peer of `vgg benchmark`: the same VGG, optimizer, batch and measurement in PyTorch.

torchvision's VGG features (make_layers, the paper's configurations), the same heads as vgg4j
(cifar: flatten, 512-512 with ReLU + dropout 0.5; imagenet: flatten, 4096-4096), softmax cross
entropy, SGD with Nesterov momentum 0.9, learning rate 0.01, weight decay 5e-4 on weights only
(as vgg4j's L2), float32, NCHW. Prints one JSON object with the fields of `vgg benchmark --json`.
`--autocast bf16` runs the forward passes (and the loss) under `torch.autocast("cpu", dtype=torch.bfloat16)`,
PyTorch's mixed precision on CPU: convolutions and linear layers in bfloat16, float32 weights and
optimizer; the peer of `vgg benchmark --precision bf16`.

Run with Debian's interpreter (python3-torch 1.13), not a pyenv python on PATH:
    /usr/bin/python3 benchmarks/pytorch_vgg.py --config D --input 3x32x32 --head cifar --classes 10 --batch 64
    /usr/bin/python3 benchmarks/pytorch_vgg.py --config D --input 3x32x32 --head cifar --classes 10 --batch 64 --autocast bf16
"""
import argparse
import contextlib
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
from torchvision.models.vgg import cfgs, make_layers

CONFIGS = {"A": "A", "B": "B", "D": "D", "E": "E", "VGG11": "A", "VGG13": "B", "VGG16": "D", "VGG19": "E"}
HEADS = {"cifar": (512, 512), "imagenet": (4096, 4096)}


def vgg(config, batch_norm, channels, size, head, classes):
    cfg = cfgs[CONFIGS[config.upper()]]
    features = make_layers(cfg, batch_norm)
    if channels != 3:
        features[0] = nn.Conv2d(channels, cfg[0], kernel_size=3, padding=1)
    side = size
    for v in cfg:
        if v == "M":
            side //= 2
    layers = [features, nn.Flatten()]
    width = cfg[-2] * side * side
    for hidden in HEADS[head]:
        layers += [nn.Linear(width, hidden), nn.ReLU(inplace=True), nn.Dropout(0.5)]
        width = hidden
    layers.append(nn.Linear(width, classes))
    model = nn.Sequential(*layers)
    for m in model.modules():  # He init as vgg4j (torchvision's own init: kaiming for convs)
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def peak_rss_bytes():
    """VmHWM, the same measure `vgg benchmark` reports (ru_maxrss is the same number, in KiB)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def timed(step, warmup, iterations):
    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t0)
    return seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="D")
    p.add_argument("--batch-norm", action="store_true")
    p.add_argument("--input", default="3x224x224", help="CxHxW")
    p.add_argument("--head", default="imagenet", choices=sorted(HEADS))
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--iterations", type=int, default=5, help="timed iterations of each phase")
    p.add_argument("--warmup", type=int, default=2, help="untimed iterations before each phase")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--phase", choices=["both", "train", "inference"], default="both")
    p.add_argument("--autocast", choices=["off", "bf16"], default="off",
                   help="bf16: forward passes under torch.autocast('cpu', dtype=torch.bfloat16)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    c, h, w = (int(v) for v in a.input.lower().split("x"))
    model = vgg(a.config, a.batch_norm, c, h, a.head, a.classes)
    decay = [q for n, q in model.named_parameters() if n.endswith("weight") and q.dim() > 1]
    other = [q for n, q in model.named_parameters() if not (n.endswith("weight") and q.dim() > 1)]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": other, "weight_decay": 0}],
                          lr=0.01, momentum=0.9, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(a.batch, c, h, w)
    y = torch.arange(a.batch) % a.classes

    def autocast():
        if a.autocast == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def train_step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # the score, as DL4J computes it on every fit

    def inference_step():
        with torch.no_grad(), autocast():
            return model(x)

    result = {"framework": "pytorch " + torch.__version__, "config": a.config, "batchNorm": a.batch_norm,
              "input": a.input, "head": a.head, "classes": a.classes, "batch": a.batch,
              "iterations": a.iterations, "warmup": a.warmup, "threads": torch.get_num_threads(),
              "precision": "bf16" if a.autocast == "bf16" else "fp32"}
    if a.phase in ("both", "train"):
        model.train()
        s = timed(train_step, a.warmup, a.iterations)
        result["trainImagesPerSecond"] = a.batch * len(s) / sum(s)
        result["trainSecondsPerIteration"] = s
    if a.phase in ("both", "inference"):
        model.eval()
        s = timed(inference_step, a.warmup, a.iterations)
        result["inferenceImagesPerSecond"] = a.batch * len(s) / sum(s)
        result["inferenceSecondsPerIteration"] = s
    result["peakMemoryBytes"] = peak_rss_bytes()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["processCpuSeconds"] = usage.ru_utime + usage.ru_stime
    result["environment"] = {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "LD_PRELOAD") if k in os.environ}
    if a.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    sys.exit(main())
