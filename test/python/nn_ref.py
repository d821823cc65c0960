#!/usr/bin/env python3
"""Reference side of the nn tests (the Python whose torch the addon links).

JSON on stdin: a list of cases; JSON on stdout (last line): one result per case.
A case that raises gives {"error": <class name>, "message": <first line>}.

Module case ({"kind": "module"}):
  build:  Python expression making the module (nn, F, torch in scope)
  state:  {key: tensor} loaded with load_state_dict(strict=True) (optional)
  train:  train mode (default true); grad: backpropagate (default true)
  inputs: {name: tensor}; call: expression using `m` and the inputs
  device: 'cpu' (default) or 'cuda'
  Outputs (a tensor or a tuple) are reduced by weigh(): sum(out * linspace(-1, 1))
  over each non-None output, then backpropagated.
  Result: {"outs", "inGrads", "paramGrads", "paramNames", "stateKeys"}.

Exec case ({"kind": "exec", "code": "...", "data": ...}): runs `code` with the
helpers below, `D` = data; the code sets `out` (JSON-safe).

Train case ({"kind": "train", ...}): the small BERT-like model of the nn training
test (TransformerEncoder + NSP/MLM heads) trained with Adam and clip_grad_norm_.

Tensors travel as {"shape", "data" (flat, 'nan'/'inf'/'-inf' as strings), "dtype", "requiresGrad"}.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def _unspecial(x):
    if isinstance(x, str):
        return {'nan': float('nan'), 'inf': float('inf'), '-inf': float('-inf')}[x]
    return x


def _special(x):
    if isinstance(x, float):
        if math.isnan(x):
            return 'nan'
        if math.isinf(x):
            return 'inf' if x > 0 else '-inf'
    return x


def T(spec, device='cpu'):
    """A tensor from its JSON form."""
    dtype = getattr(torch, spec.get('dtype', 'float32'))
    t = torch.tensor([_unspecial(v) for v in spec['data']], dtype=dtype).reshape(spec['shape']).to(device)
    if spec.get('requiresGrad'):
        t.requires_grad_(True)
    return t


def E(t):
    """JSON form of a tensor (None stays None)."""
    if t is None:
        return None
    d = t.detach().cpu()
    dt = str(d.dtype).replace('torch.', '')
    if dt == 'bool':
        flat = [1 if v else 0 for v in d.reshape(-1).tolist()]
    else:
        flat = [_special(v) for v in d.reshape(-1).tolist()]
    return {'shape': list(d.shape), 'data': flat, 'dtype': dt, 'requiresGrad': bool(t.requires_grad)}


def load(m, state, device='cpu'):
    return m.load_state_dict({k: T(v, device) for k, v in state.items()}, strict=True)


def weigh(outs):
    """The scalar both sides backpropagate: sum of out * linspace(-1, 1) over the outputs."""
    total = None
    for o in outs:
        if o is None:
            continue
        g = torch.linspace(-1, 1, o.numel(), dtype=o.dtype, device=o.device).reshape(o.shape)
        s = (o * g).sum()
        total = s if total is None else total + s
    return total


ENV = {'torch': torch, 'nn': nn, 'F': F, 'math': math}


def module_case(c):
    device = c.get('device', 'cpu')
    torch.manual_seed(0)
    m = eval(c['build'], dict(ENV, T=T)).to(device)
    if c.get('state') is not None:
        load(m, c['state'], device)
    m.train(c.get('train', True))
    inputs = {k: T(v, device) for k, v in c.get('inputs', {}).items()}
    env = dict(ENV, m=m, **inputs)
    grad = c.get('grad', True)
    with torch.set_grad_enabled(grad):
        out = eval(c['call'], env)
    outs = list(out) if isinstance(out, tuple) else [out]
    res = {'outs': [E(o) for o in outs],
           'paramNames': [k for k, _ in m.named_parameters()],
           'stateKeys': [[k, list(v.shape)] for k, v in m.state_dict().items()]}
    if grad:
        weigh(outs).backward()
        res['inGrads'] = {k: E(t.grad) for k, t in inputs.items() if t.requires_grad}
        res['paramGrads'] = {k: E(p.grad) for k, p in m.named_parameters()}
    return res


def exec_case(c):
    env = dict(ENV, D=c.get('data'), T=T, E=E, load=load, weigh=weigh)
    exec(c['code'], env)
    return env['out']


# ------------------------------------------------------------------ training (NSP/MLM-like)
class TinyBert(nn.Module):
    """Embedding + TransformerEncoder (final norm) + NSP head on token 0 + MLM head."""

    def __init__(self, vocab, d, heads, ff, layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, padding_idx=0)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation='gelu', batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d))
        self.nsp = nn.Linear(d, 2)
        self.mlm = nn.Linear(d, vocab)

    def forward(self, x, pad_mask):
        h = self.encoder(self.embed(x), src_key_padding_mask=pad_mask)
        return self.nsp(h[:, 0]), self.mlm(h)


def train_case(c):
    device = c.get('device', 'cpu')
    cfg = c['config']
    torch.manual_seed(0)
    model = TinyBert(cfg['vocab'], cfg['d'], cfg['heads'], cfg['ff'], cfg['layers']).to(device)
    load(model, c['state'], device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=c['lr'], weight_decay=c['weightDecay'])
    losses, norms = [], []
    for batch in c['batches']:
        x = torch.tensor(batch['tokens'], device=device)
        pad = x == 0
        is_next = torch.tensor(batch['isNext'], device=device)
        labels = torch.tensor(batch['labels'], device=device)
        opt.zero_grad()
        nsp, mlm = model(x, pad)
        loss = F.cross_entropy(nsp, is_next) + F.cross_entropy(mlm.reshape(-1, mlm.size(-1)), labels.reshape(-1), ignore_index=0)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), c['maxNorm'])
        opt.step()
        losses.append(loss.item())
        norms.append(norm.item())
    return {'losses': losses, 'norms': norms,
            'stateKeys': [[k, list(v.shape)] for k, v in model.state_dict().items()],
            'final': {k: E(v) for k, v in model.state_dict().items()} if c.get('returnFinal') else None}


HANDLERS = {'module': module_case, 'exec': exec_case, 'train': train_case}


def main():
    cases = json.loads(sys.stdin.read())
    results = []
    for c in cases:
        try:
            results.append(HANDLERS[c['kind']](c))
        except Exception as e:  # reported to the test, which decides
            results.append({'error': type(e).__name__, 'message': str(e).split('\n')[0], 'full': str(e)})
    sys.stdout.write('\n' + json.dumps(results, allow_nan=False) + '\n')


main()
