"""The Python half of bench/ops.ts: the same loops of small ops in PyTorch.

Reads {"threads": n, "iters": {name: count}, "repeats": r, "warmup": w} as JSON
on stdin; prints {"version": ..., "threads": ..., "us": {name: microseconds per
iteration (best of r)}} as JSON on stdout.
"""
import json
import sys
import time

import torch

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)

a = torch.randn(8, 8)
b = torch.randn(8, 8)
v = torch.randn(64)
idx = torch.tensor([0, 3, 5, 7])
mask = a > 0
x = torch.randn(16, 32)
target = torch.randint(0, 10, (16,))
w1 = (torch.randn(32, 64) * 0.1).requires_grad_()
b1 = torch.zeros(64, requires_grad=True)
w2 = (torch.randn(64, 10) * 0.1).requires_grad_()
params = [w1, b1, w2]


def mlp_step():
    h = torch.relu(x @ w1 + b1)
    logp = torch.log_softmax(h @ w2, -1)
    loss = -logp.gather(1, target.unsqueeze(1)).mean()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad * 0.01)
            p.grad = None


OPS = {
    'add': lambda: a + b,
    'mul_scalar': lambda: a * 0.5,
    'matmul': lambda: a @ b,
    'tanh': lambda: torch.tanh(a),
    'sum': lambda: a.sum(),
    'softmax': lambda: torch.softmax(a, -1),
    'index_basic': lambda: a[1, 2:6],
    'index_tensor': lambda: a[idx],
    'index_mask': lambda: a[mask],
    'zeros': lambda: torch.zeros(8, 8),
    'item': lambda: v.sum().item(),
    'chain5': lambda: ((a + b) * 0.5 @ b).relu().sum(),
    'mlp_step': mlp_step,
}


def timeit(fn, n, repeats, warmup):
    for _ in range(warmup):
        fn()
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - t0)
    return best / n * 1e6


out = {name: timeit(OPS[name], n, cfg['repeats'], cfg['warmup']) for name, n in cfg['iters'].items()}
print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'us': out}))
