import gzip, sys, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2); torch.manual_seed(1); np.random.seed(1)
root = sys.argv[1]; epochs = int(sys.argv[2]); lr = float(sys.argv[3]); width = float(sys.argv[4]); batch = int(sys.argv[5]); limit = int(sys.argv[6]) if len(sys.argv) > 6 else 0
def idx(path, n):
    with gzip.open(path) as f: d = f.read()
    return np.frombuffer(d, np.uint8, offset=n)
xtr = idx(f"{root}/train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28); ytr = idx(f"{root}/train-labels-idx1-ubyte.gz", 8)
xte = idx(f"{root}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28); yte = idx(f"{root}/t10k-labels-idx1-ubyte.gz", 8)
if limit: xtr, ytr = xtr[:limit], ytr[:limit]
pad = lambda x: np.pad(x, ((0,0),(2,2),(2,2))).astype(np.float32) / 255
xtr, xte = pad(xtr), pad(xte); m, s = xtr.mean(), xtr.std(); xtr = (xtr - m) / s; xte = (xte - m) / s
cfg = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']
layers, c = [], 1
for v in cfg:
    if v == 'M': layers.append(nn.MaxPool2d(2))
    else:
        o = int(v * width); layers += [nn.Conv2d(c, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(True)]; c = o
h = int(512 * width)
net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c, h), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(h, h), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(h, 10))
for mod in net.modules():
    if isinstance(mod, nn.Conv2d): nn.init.kaiming_normal_(mod.weight, mode='fan_in', nonlinearity='relu'); nn.init.zeros_(mod.bias)
opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
Xte, Yte = torch.tensor(xte[:, None]), torch.tensor(yte.astype(np.int64))
for e in range(epochs):
    net.train(); perm = np.random.permutation(len(xtr)); t0 = time.time(); tl = 0; nb = 0
    for i in range(0, len(perm), batch):
        b = perm[i:i+batch]; x = np.pad(xtr[b], ((0,0),(2,2),(2,2)), constant_values=(-m/s))
        ox, oy = np.random.randint(0, 5, 2); x = x[:, oy:oy+32, ox:ox+32].copy()
        flip = np.random.rand(len(b)) < 0.5; x[flip] = x[flip, :, ::-1]
        out = net(torch.tensor(x[:, None])); loss = F.cross_entropy(out, torch.tensor(ytr[b].astype(np.int64)))
        opt.zero_grad(); loss.backward(); opt.step(); tl += loss.item(); nb += 1
    net.eval()
    with torch.no_grad(): acc = sum((net(Xte[i:i+500]).argmax(1) == Yte[i:i+500]).sum().item() for i in range(0, len(Xte), 500)) / len(Xte)
    print(f"epoch {e+1} loss {tl/nb:.4f} test acc {acc:.4f} ({time.time()-t0:.0f}s)", flush=True)
