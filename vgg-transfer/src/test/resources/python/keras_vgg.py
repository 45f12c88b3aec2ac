"""Writes Keras applications-style VGG H5 files without Keras (h5py only), laid out as Keras 2.2.4
writes them, and the outputs Keras would compute, evaluated with torch in Keras' channels-last
semantics:
  OUT/model.h5          a whole model (model.save): model_config + model_weights, with top
  OUT/weights.h5        a weights file (save_weights, the applications' downloads), with top
  OUT/weights_notop.h5  the same without top (the applications' *_notop.h5)
  OUT/image/1.png       an RGB test image;  OUT/expected.json  probabilities and no-top features,
                        computed in float64 from the float32 weights written (the exact answer a
                        float32 implementation is judged by)

usage: keras_vgg.py OUT CONFIG WIDTH SIZE CLASSES SEED
  CONFIG: vgg16 | vgg19   WIDTH: channel divisor (1 = the real widths)   SIZE: input side
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.io import write_png

out, config, div, size, classes, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.manual_seed(seed)
rng = np.random.default_rng(seed)
convs = {"vgg16": [2, 2, 3, 3, 3], "vgg19": [2, 2, 4, 4, 4]}[config]
widths = [64 // div, 128 // div, 256 // div, 512 // div, 512 // div]
fc = 4096 // div

init = {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
zeros = {"class_name": "Zeros", "config": {}}


def node(prev):
    return [[[prev, 0, 0, {}]]]


layers, weights, prev, cin = [], {}, "input_1", 3
layers.append({"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
               "config": {"batch_input_shape": [None, size, size, 3], "dtype": "float32", "sparse": False, "name": "input_1"}})
for b, (n, w) in enumerate(zip(convs, widths), start=1):
    for i in range(1, n + 1):
        name = "block%d_conv%d" % (b, i)
        layers.append({"class_name": "Conv2D", "name": name, "inbound_nodes": node(prev), "config": {
            "name": name, "trainable": True, "filters": w, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
            "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
            "kernel_initializer": init, "bias_initializer": zeros, "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}})
        std = np.sqrt(2.0 / (9 * cin))
        weights[name] = [rng.normal(0, std, (3, 3, cin, w)).astype(np.float32), rng.uniform(-0.05, 0.05, w).astype(np.float32)]
        prev, cin = name, w
    name = "block%d_pool" % b
    layers.append({"class_name": "MaxPooling2D", "name": name, "inbound_nodes": node(prev), "config": {
        "name": name, "trainable": True, "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}})
    prev = name
notop_layers = list(layers)
layers.append({"class_name": "Flatten", "name": "flatten", "inbound_nodes": node(prev),
               "config": {"name": "flatten", "trainable": True, "data_format": "channels_last"}})
prev, nin = "flatten", cin * (size // 32) ** 2
for name, units, act in [("fc1", fc, "relu"), ("fc2", fc, "relu"), ("predictions", classes, "softmax")]:
    layers.append({"class_name": "Dense", "name": name, "inbound_nodes": node(prev), "config": {
        "name": name, "trainable": True, "units": units, "activation": act, "use_bias": True, "kernel_initializer": init,
        "bias_initializer": zeros, "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}})
    weights[name] = [rng.normal(0, np.sqrt(2.0 / nin), (nin, units)).astype(np.float32),
                     rng.uniform(-0.05, 0.05, units).astype(np.float32)]
    prev, nin = name, units


def write_weights(group, layer_list):
    group.attrs["layer_names"] = [l["name"].encode("utf8") for l in layer_list]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.2.4"
    for l in sorted(layer_list, key=lambda x: x["name"]):
        g = group.create_group(l["name"])
        names = ["%s/kernel:0" % l["name"], "%s/bias:0" % l["name"]] if l["name"] in weights else []
        g.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for n, v in zip(names, weights.get(l["name"], [])):
            g.create_dataset(n, data=v)


# The test image and what Keras computes for it: caffe preprocessing (RGB -> BGR, minus the ImageNet means).
low = torch.rand(1, 3, max(2, size // 16), max(2, size // 16))
img = F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
pixels = (img[0] * 255).round().clamp(0, 255).to(torch.uint8)
os.makedirs(os.path.join(out, "image"), exist_ok=True)
write_png(pixels, os.path.join(out, "image", "1.png"))


def keras_forward(pixels, dtype=torch.float32):
    # The caffe preprocessing as vgg4j applies it (in float32), then the network in dtype.
    x = (pixels.float()[[2, 1, 0]].unsqueeze(0) - torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)).to(dtype)
    w = lambda a: torch.from_numpy(a).to(dtype)
    with torch.no_grad():
        for l in notop_layers[1:]:
            if l["class_name"] == "Conv2D":
                k, b = weights[l["name"]]
                x = F.relu(F.conv2d(x, w(k).permute(3, 2, 0, 1), w(b), padding=1))
            else:
                x = F.max_pool2d(x, 2, 2)
        features = x[0]  # [C, h, w]
        h = x.permute(0, 2, 3, 1).reshape(1, -1)  # Keras flattens channels-last: h, w, c
        for name in ["fc1", "fc2"]:
            h = F.relu(h @ w(weights[name][0]) + w(weights[name][1]))
        logits = h @ w(weights["predictions"][0]) + w(weights["predictions"][1])
    return features, logits


# Scale the last layer so that the softmax is peaked but not saturated: a wrong mapping must show.
_, logits = keras_forward(pixels)
s = 3.0 / max(float(logits.std()), 1e-6)
weights["predictions"] = [(weights["predictions"][0] * s).astype(np.float32), (weights["predictions"][1] * s).astype(np.float32)]
features, logits = keras_forward(pixels, torch.float64)
probs = torch.softmax(logits, dim=1)[0]

model_config = {"class_name": "Model", "config": {"name": config, "layers": layers,
                                                  "input_layers": [["input_1", 0, 0]], "output_layers": [["predictions", 0, 0]]}}
with h5py.File(os.path.join(out, "model.h5"), "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
    write_weights(f.create_group("model_weights"), layers)
with h5py.File(os.path.join(out, "weights_notop.h5"), "w") as f:
    write_weights(f, notop_layers)
with h5py.File(os.path.join(out, "weights.h5"), "w") as f:
    write_weights(f, layers)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"probabilities": probs.tolist(), "features": features.reshape(-1).tolist(),
               "featureShape": list(features.shape)}, f)
