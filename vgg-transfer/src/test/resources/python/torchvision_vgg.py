"""Builds a torchvision VGG with random weights (and random batch-norm statistics), writes its
state dict as .safetensors (written here with json + struct: the safetensors package is not
needed), a test image as PNG, and torchvision's log-probabilities for that image, computed in
float64 from the float32 weights written: the exact answer a float32 implementation is judged by
(the tests allow what float32 rounding does, measured with DL4J's plain path; torch's own float32
result would be a second rounded answer, differing with the CPU's kernels).

usage: torchvision_vgg.py OUT_DIR ARCH SIZE CLASSES SEED [timm]
  ARCH: vgg11, vgg11_bn, vgg13, vgg16, vgg16_bn, vgg19, ...   SIZE: input side   CLASSES: outputs
  writes OUT_DIR/model.safetensors, OUT_DIR/image/1.png, OUT_DIR/expected.json;
  timm: also OUT_DIR/model-timm.safetensors, the same weights under timm's names (pre_logits.fc1 as a
  7x7 conv, pre_logits.fc2 as a 1x1 conv, head.fc)
"""
import copy
import json
import os
import struct
import sys

import torch
import torchvision
from torchvision.io import write_png

out, arch, size, classes, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
timm = len(sys.argv) > 6 and sys.argv[6] == "timm"
torch.manual_seed(seed)
torch.set_num_threads(2)

model = getattr(torchvision.models, arch)(weights=None, num_classes=classes)
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.1, 0.1)
        if isinstance(m, torch.nn.Conv2d):
            m.bias.uniform_(-0.05, 0.05)
    # A peaked softmax, so that a wrong mapping cannot hide behind near-uniform probabilities.
    model.classifier[6].weight.mul_(150.0)
    model.classifier[6].bias.uniform_(-1, 1)
model.eval()

# A smooth random RGB image: low-resolution noise upsampled, as 8-bit pixels.
low = torch.rand(1, 3, max(2, size // 16), max(2, size // 16))
img = torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
pixels = (img[0] * 255).round().clamp(0, 255).to(torch.uint8)
os.makedirs(os.path.join(out, "image"), exist_ok=True)
write_png(pixels, os.path.join(out, "image", "1.png"))

# The preprocessing as vgg4j applies it (in float32), then the network in float64.
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
x = (pixels.unsqueeze(0).float() / 255 - mean) / std
with torch.no_grad():
    logp = torch.log_softmax(copy.deepcopy(model).double()(x.double()), dim=1)[0]
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"logProbabilities": logp.tolist(), "probabilities": logp.exp().tolist()}, f)

def timm_names(state):
    renamed = {}
    for k, v in state.items():
        if k.startswith("classifier.0."):
            k, v = "pre_logits.fc1." + k.split(".")[-1], (v.view(v.shape[0], -1, 7, 7) if v.dim() == 2 else v)
        elif k.startswith("classifier.3."):
            k, v = "pre_logits.fc2." + k.split(".")[-1], (v.view(v.shape[0], v.shape[1], 1, 1) if v.dim() == 2 else v)
        elif k.startswith("classifier.6."):
            k = "head.fc." + k.split(".")[-1]
        renamed[k] = v
    return renamed


def write_safetensors(state, path):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in state.items():
        t = tensor.detach().contiguous()
        if t.dtype == torch.int64:
            data, dtype = t.numpy().tobytes(), "I64"
        else:
            data, dtype = t.float().numpy().tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header).encode("utf8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


state = model.state_dict()
write_safetensors(state, os.path.join(out, "model.safetensors"))
if timm:
    write_safetensors(timm_names(state), os.path.join(out, "model-timm.safetensors"))
