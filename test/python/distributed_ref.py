"""One rank of a distributed test, in Python: the same scenarios as
test/80-distributed-worker.ts (collectives, train), run with torchrun's
environment; prints its result as JSON on the last line of stdout."""
import json
import os
import sys
from datetime import timedelta

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

scenario = sys.argv[1]
timeout = timedelta(milliseconds=int(os.environ.get("TN_DIST_TIMEOUT_MS", "20000")))


def f32(data):
    return torch.tensor(data, dtype=torch.float32)


def collectives():
    r, n = dist.get_rank(), dist.get_world_size()
    out = {}
    base = lambda: f32([i * (r + 1) + r + 0.5 for i in range(4)])
    for op, rop in [("sum", dist.ReduceOp.SUM), ("avg", None), ("max", dist.ReduceOp.MAX), ("min", dist.ReduceOp.MIN), ("product", dist.ReduceOp.PRODUCT)]:
        t = base()
        if rop is None:  # Gloo has no AVG: sum, then divide (what the TS library does)
            dist.all_reduce(t)
            t /= n
        else:
            dist.all_reduce(t, op=rop)
        out[f"allReduce_{op}"] = t.tolist()
    ints = torch.tensor([r, 10 * r, 7], dtype=torch.int64)
    dist.all_reduce(ints)
    out["allReduce_int64"] = ints.tolist()
    b = f32([r, r, r])
    dist.broadcast(b, n - 1)
    out["broadcast"] = b.tolist()
    red = base()
    dist.reduce(red, 0, op=dist.ReduceOp.MAX)
    if r == 0:
        out["reduce"] = red.tolist()
    gathered = [torch.zeros(2) for _ in range(n)]
    dist.all_gather(gathered, f32([r, r * r]))
    out["allGather"] = [g.tolist() for g in gathered]
    rs = torch.zeros(2)
    dist.reduce_scatter(rs, [f32([10 * r + i, i - r]) for i in range(n)])
    out["reduceScatter"] = rs.tolist()
    g = f32([r + 1, -r])
    if r == n - 1:
        gl = [torch.zeros(2) for _ in range(n)]
        dist.gather(g, gl, dst=n - 1)
        out["gather"] = [x.tolist() for x in gl]
    else:
        dist.gather(g, dst=n - 1)
    sc = torch.zeros(3)
    dist.scatter(sc, [f32([i, 2 * i, 3 * i]) for i in range(n)] if r == 0 else None, src=0)
    out["scatter"] = sc.tolist()
    sent = dist.isend(f32([100 + r]), (r + 1) % n, tag=3)
    got = torch.zeros(1)
    dist.recv(got, (r + n - 1) % n, tag=3)
    sent.wait()
    out["ring"] = got.tolist()
    dist.barrier()
    big = torch.ones(1 << 20) * (r + 1)
    work = dist.all_reduce(big, async_op=True)
    work.wait()
    out["asyncSum"] = big.sum().item()
    out["asyncCompleted"] = work.is_completed()
    out["ticksWhileWaiting"] = True
    sub = dist.new_group(ranks=[0, n - 1])
    if r in (0, n - 1):
        s = f32([r])
        dist.all_reduce(s, group=sub)
        out["subgroup"] = s.tolist()
        out["subgroupRank"] = dist.get_rank(sub)
    return out


def data(start, count):
    x = [[((i * 7 + j * 13) % 17) / 17 - 0.5 for j in range(8)] for i in range(start, start + count)]
    y = [[((i * 5 + k * 3) % 11) / 11 - 0.5 for k in range(4)] for i in range(start, start + count)]
    return f32(x), f32(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def train():
    r, n = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(1234 + r)
    net = Net()
    model = nn.parallel.DistributedDataParallel(net) if n > 1 else net
    initial = {k: v.tolist() for k, v in net.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    total = int(os.environ.get("TN_TOTAL_BATCH", "32"))
    per = total // n
    for step in range(20):
        opt.zero_grad()
        x, y = data(step * total + r * per, per)
        F.mse_loss(model(x), y).backward()
        opt.step()
    final = {k: v.tolist() for k, v in net.state_dict().items()}
    return {"initial": initial, "final": final, "ddpKeys": list(model.state_dict().keys()), "moduleIsNet": True}


dist.init_process_group("gloo", timeout=timeout)
result = collectives() if scenario == "collectives" else train()
print(json.dumps(result))
dist.destroy_process_group()
