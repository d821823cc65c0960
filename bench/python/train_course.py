"""Times the course's training step in Python PyTorch (the reference for bench/train.ts).

Reads a JSON config on stdin: preset sizes, vocab, batch, seq len, steps, warmup, threads.
Prints JSON: seconds per step and the losses seen.
"""
import json, sys, time, os
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'python'))
import torch
from course_bert import BERT, PAD_IDX

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)
g = torch.Generator().manual_seed(1)
V, S, B = cfg['vocab'], cfg['seqLen'], cfg['batch']
model = BERT(V, cfg['dModel'], cfg['nLayers'], cfg['heads'], 0.1, cfg['dimFeedforward'])
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01)
nsp_fn = torch.nn.CrossEntropyLoss()
mlm_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
x = torch.randint(5, V, (S, B), generator=g)
x[-4:, : B // 2] = PAD_IDX
seg = torch.where(x == PAD_IDX, torch.zeros_like(x), torch.ones_like(x))
labels = torch.where(torch.rand((S, B), generator=g) < 0.15, x, torch.zeros_like(x))
is_next = torch.randint(0, 2, (B,), generator=g)

def step():
    opt.zero_grad()
    nsp, mlm = model(x, seg)
    loss = nsp_fn(nsp, is_next) + mlm_fn(mlm.view(-1, mlm.size(-1)), labels.view(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    return loss.item()

for _ in range(cfg['warmup']):
    step()
t = time.perf_counter()
losses = [step() for _ in range(cfg['steps'])]
dt = (time.perf_counter() - t) / cfg['steps']
print(json.dumps({'secPerStep': dt, 'losses': losses}))
