"""Times the ResNet example's training step in Python PyTorch (the reference for bench/cnn.ts).

Reads JSON on stdin: batch, size, steps, warmup, threads, optimizer.
Prints JSON: seconds per step.
"""
import json, sys, time, os
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'python'))
import torch
import torch.nn.functional as F
from resnet_ref import ResNet

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)
model = ResNet()
model.train()
if cfg['optimizer'] == 'adam':
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
else:
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4)
x = torch.rand(cfg['batch'], 1, cfg['size'], cfg['size'])
y = torch.randint(0, 4, (cfg['batch'],))

def step():
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()

for _ in range(cfg['warmup']):
    step()
t0 = time.perf_counter()
for _ in range(cfg['steps']):
    step()
sec = (time.perf_counter() - t0) / cfg['steps']
print(json.dumps({'secPerStep': sec}))
