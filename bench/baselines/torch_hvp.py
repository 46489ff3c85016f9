"""PyTorch float64 baseline for `npm run bench` (optional: runs only where `import torch` works).

The same network and data size as gradflat's MLP bench: 16→8→16→16 autoencoder, Swish on
hidden layers, linear output, biases, MSE = mean over samples and units, N = 10,000 Gaussian
samples. HVP by double backprop (autograd), forward/backward graph rebuilt per call as a
PyTorch user would; also the HVP with the first-order graph reused (create_graph once).
Prints one JSON line: median milliseconds.
"""
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
dt = torch.float64
N, sizes = 10_000, [16, 8, 16, 16]
x = torch.randn(N, 16, dtype=dt)
params = []
for i, o in zip(sizes[:-1], sizes[1:]):
    w = torch.randn(o, i, dtype=dt)
    w = w / w.norm(dim=1, keepdim=True)
    params += [w, torch.full((o,), 0.01, dtype=dt)]
theta = torch.cat([p.reshape(-1) for p in params]).requires_grad_(True)


def loss_fn(t):
    off, a = 0, x
    layers = len(sizes) - 1
    for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = t[off:off + o * i].view(o, i); off += o * i
        b = t[off:off + o]; off += o
        z = a @ w.T + b
        a = z * torch.sigmoid(z) if l < layers - 1 else z
    return ((a - x) ** 2).mean()


v = torch.randn(theta.numel(), dtype=dt)


def hvp_fresh():
    g = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)[0]
    return torch.autograd.grad(g @ v, theta)[0]


g_cached = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)[0]


def hvp_cached():
    return torch.autograd.grad(g_cached @ v, theta, retain_graph=True)[0]


def median_ms(f, reps=30):
    for _ in range(5):
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


print(json.dumps({"torch": torch.__version__, "threads": threads,
                  "hvp_fresh_ms": median_ms(hvp_fresh), "hvp_cached_graph_ms": median_ms(hvp_cached)}))
