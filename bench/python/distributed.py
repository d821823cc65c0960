"""The Python side of bench/distributed.ts: one rank (torchrun's environment),
the same all-reduce sizes and iteration counts and the same DDP step; prints
rank timings as JSON."""
import json
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

SIZES = [1 << e for e in (10, 12, 14, 16, 18, 20, 22, 24, 26)]
quick = "--quick" in sys.argv


def iterations(nbytes):
    return max(3 if quick else 5, min(50 if quick else 200, round((1 << 28) / nbytes)))


torch.set_num_threads(1)
dist.init_process_group("gloo")
allreduce_ms = {}
for nbytes in SIZES:
    t = torch.ones(nbytes // 4)
    for _ in range(3):
        dist.all_reduce(t)
    n = iterations(nbytes)
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(n):
        dist.all_reduce(t)
    allreduce_ms[str(nbytes)] = (time.perf_counter() - t0) * 1000 / n

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(256, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 256))
x, y = torch.randn(64, 256), torch.randn(64, 256)


def timed(model):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    dist.barrier()
    steps = 10 if quick else 30
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) * 1000 / steps


plain = timed(net)
ddp = timed(nn.parallel.DistributedDataParallel(net))
print(json.dumps({"allreduceMs": allreduce_ms, "plainStepMs": plain, "ddpStepMs": ddp}))
dist.destroy_process_group()
