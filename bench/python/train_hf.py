"""Times a training step of transformers' BertForPreTraining (the reference for bench/hf.ts).

Reads a JSON config on stdin: BertConfig fields, batch, seq_len, steps, warmup, threads.
Prints JSON: seconds per step and the losses seen.
"""
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
from transformers import BertConfig, BertForPreTraining

cfg = json.loads(sys.stdin.read())
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
g = torch.Generator().manual_seed(1)
config = BertConfig(**cfg["config"])
V, S, B = config.vocab_size, cfg["seq_len"], cfg["batch"]
model = BertForPreTraining(config)
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
ids = torch.randint(5, V, (B, S), generator=g)
mask = torch.ones(B, S, dtype=torch.long)
mask[: B // 2, S - 8 :] = 0
ids[mask == 0] = 0
types = torch.zeros(B, S, dtype=torch.long)
types[:, S // 2 :] = 1
labels = torch.where(torch.rand((B, S), generator=g) < 0.15, ids, torch.full_like(ids, -100))
labels[mask == 0] = -100
nsp = torch.randint(0, 2, (B,), generator=g)


def step():
    opt.zero_grad()
    out = model(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=labels, next_sentence_label=nsp)
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    return out.loss.item()


for _ in range(cfg["warmup"]):
    step()
t = time.perf_counter()
losses = [step() for _ in range(cfg["steps"])]
dt = (time.perf_counter() - t) / cfg["steps"]
print(json.dumps({"secPerStep": dt, "losses": losses}))
