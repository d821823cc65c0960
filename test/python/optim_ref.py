#!/usr/bin/python3
"""Reference side of the optimizer tests (Debian's /usr/bin/python3, torch 1.13).

JSON on stdin: a list of cases; JSON on stdout: one result per case.

Optimizer case:
  {"kind": "opt", "opt": "Adam", "kwargs": {...}, "groups": [{"params": [0, 1], ...}] | null,
   "init": {"W": [[...]], "b": [...], "u": [...]}, "X": [[...]], "Y": [[...]],
   "steps": N, "save_at": k}
  The model is y = X @ W.T + b, loss = mean((y - Y) ** 2); `u` never gets a gradient.
  Params are [W, b, u] (indices 0, 1, 2). Result: params after every step,
  the state dict after `save_at` steps and after N steps, and a run that loads the
  state dict saved at `save_at` into a fresh optimizer and continues.

Scheduler case:
  {"kind": "sched", "sched": "StepLR", "kwargs": {...}, "opt": "SGD", "opt_kwargs": {...},
   "lrs": [0.1, 0.01], "steps": N, "lambda": name?}
  Result: lr (and momentum or betas[0]) of every group after construction and every step,
  the scheduler's state dict (plain values only) and the optimizer's param_groups.
"""
import json
import sys

import torch


def tensor_desc(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
            "data": t.detach().reshape(-1).double().tolist()}


def value_desc(v):
    if isinstance(v, torch.Tensor):
        return {"tensor": tensor_desc(v)}
    if isinstance(v, bool):
        return {"bool": v}
    if v is None:
        return None
    if isinstance(v, int):
        return {"int": v}
    if isinstance(v, float):
        return {"float": v}
    if isinstance(v, str):
        return {"str": v}
    if isinstance(v, tuple):
        return {"tuple": [value_desc(x) for x in v]}
    if isinstance(v, list):
        return {"list": [value_desc(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[k, value_desc(x)] for k, x in v.items()]}
    return {"other": repr(v)}


def state_dict_desc(sd):
    return {
        "state": [[k, [[sk, value_desc(sv)] for sk, sv in s.items()]] for k, s in sd["state"].items()],
        "param_groups": [[[k, value_desc(v)] for k, v in g.items()] for g in sd["param_groups"]],
    }


def make_params(init):
    W = torch.tensor(init["W"], dtype=torch.float32, requires_grad=True)
    b = torch.tensor(init["b"], dtype=torch.float32, requires_grad=True)
    u = torch.tensor(init["u"], dtype=torch.float32, requires_grad=True)
    return [W, b, u]


def tuple_betas(d):
    d = dict(d)
    if "betas" in d:
        d["betas"] = tuple(d["betas"])  # JSON has no tuples; Python users write (0.9, 0.999)
    return d


def make_opt(case, params):
    cls = getattr(torch.optim, case["opt"])
    kwargs = tuple_betas(case["kwargs"])
    if case.get("groups"):
        groups = []
        for g in case["groups"]:
            g = tuple_betas(g)
            g["params"] = [params[i] for i in g["params"]]
            groups.append(g)
        return cls(groups, **kwargs)
    return cls(params, **kwargs)


def train_step(opt, params, X, Y):
    W, b, _ = params
    opt.zero_grad(set_to_none=True)
    loss = ((X @ W.t() + b - Y) ** 2).mean()
    loss.backward()
    opt.step()


def run_opt(case):
    X = torch.tensor(case["X"], dtype=torch.float32)
    Y = torch.tensor(case["Y"], dtype=torch.float32)
    params = make_params(case["init"])
    opt = make_opt(case, params)
    history = []
    saved = None
    saved_params = None
    for i in range(case["steps"]):
        train_step(opt, params, X, Y)
        history.append([p.detach().reshape(-1).double().tolist() for p in params])
        if i + 1 == case["save_at"]:
            import copy
            saved = copy.deepcopy(opt.state_dict())
            saved_params = [p.detach().clone() for p in params]
    out = {"history": history, "final_sd": state_dict_desc(opt.state_dict()),
           "saved_sd": state_dict_desc(saved) if saved is not None else None}
    # Resume from the saved state dict in a fresh optimizer.
    if saved is not None:
        params2 = [p.clone().requires_grad_(True) for p in saved_params]
        opt2 = make_opt(case, params2)
        opt2.load_state_dict(saved)
        for _ in range(case["steps"] - case["save_at"]):
            train_step(opt2, params2, X, Y)
        out["resumed"] = [p.detach().reshape(-1).double().tolist() for p in params2]
    return out


def lambda_for(spec):
    name = spec["name"]
    if name == "exp":
        return lambda e: 0.95 ** e
    if name == "step":
        return lambda e: 1.0 / (1 + e // 3)
    if name == "warmup":
        w, t = spec["warmup"], spec["total"]

        def f(current_step):
            if current_step < w:
                return float(current_step) / float(max(1, w))
            return max(0.0, float(t - current_step) / float(max(1, t - w)))
        return f
    raise ValueError(name)


def momentum_of(g):
    if "betas" in g:
        return g["betas"][0]
    return g.get("momentum")


def run_sched(case):
    params = [torch.zeros(2, requires_grad=True) for _ in case["lrs"]]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, case["lrs"])]
    opt = getattr(torch.optim, case["opt"])(groups, **case["opt_kwargs"])
    kwargs = dict(case["kwargs"])
    if case["sched"] == "LambdaLR":
        lam = kwargs.pop("lr_lambda")
        kwargs["lr_lambda"] = [lambda_for(x) for x in lam] if isinstance(lam, list) else lambda_for(lam)
    sched = getattr(torch.optim.lr_scheduler, case["sched"])(opt, **kwargs)
    lrs = [sched.get_last_lr()]
    moms = [[momentum_of(g) for g in opt.param_groups]]
    for _ in range(case["steps"]):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        moms.append([momentum_of(g) for g in opt.param_groups])
    sd = sched.state_dict()
    return {
        "lrs": lrs,
        "momentums": moms,
        "sched_sd": [[k, value_desc(v)] for k, v in sd.items() if k != "anneal_func"],
        "param_groups": [[[k, value_desc(v)] for k, v in g.items() if k != "params"] for g in opt.param_groups],
    }


def main():
    torch.set_num_threads(1)
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        if case["kind"] == "opt":
            out.append(run_opt(case))
        elif case["kind"] == "sched":
            out.append(run_sched(case))
        else:
            raise ValueError(case["kind"])
    json.dump(out, sys.stdout)


main()
