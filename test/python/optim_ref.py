"""Reference side of the optimizer tests: the PyTorch the addon links (run by
scripts/reference-python.ts's interpreter).

JSON on stdin: a list of cases; JSON on stdout: one result per case.

Optimizer case:
  {"kind": "opt", "opt": "Adam", "kwargs": {...}, "groups": [{"params": [0, 1], ...}] | null,
   "named": false, "init": {"W": [[...]], "b": [...], "u": [...]}, "X": [[...]], "Y": [[...]],
   "steps": N, "save_at": k, "ts_file": path | null}
  The model is y = X @ W.T + b, loss = mean((y - Y) ** 2); `u` never gets a gradient.
  Params are [W, b, u] (indices 0, 1, 2); with "named" they are given as (name, tensor)
  pairs. Result: params after every step, the state dict after `save_at` steps and
  after N steps, repr(opt), opt.defaults, a run that loads the state dict saved at `save_at` into a fresh
  optimizer and continues, and, with "ts_file" (a torch.save'd {"sd": state dict,
  "params": [W, b, u]} written by the TypeScript side after `save_at` steps), the same
  continuation from TypeScript's state dict ("ts_resumed") and that state dict as
  Python holds it after loading ("ts_loaded_sd").

Load case (state dicts in older layouts):
  {"kind": "load", "opt": ..., "kwargs": ..., "groups": ..., "init", "X", "Y",
   "sd": StateDictDesc, "steps": N}
  Result: the state dict after load_state_dict(sd) and the params after N more steps.

Scheduler case:
  {"kind": "sched", "sched": "StepLR", "kwargs": {...}, "opt": "SGD", "opt_kwargs": {...},
   "lrs": [0.1, 0.01], "group_extra": [{...}] | null, "load_sd": [[key, desc]] | null,
   "steps": N, "save_at": k, "ts_file": path | null}
  "group_extra" adds keys to the optimizer's groups before the scheduler is built
  (resuming with last_epoch needs initial_lr); "load_sd" is a scheduler state dict
  loaded right after construction (older layouts). Result: lr (and momentum or betas[0]) of every group
  after construction and every step, the scheduler's state dict and the optimizer's
  param_groups at the end and after `save_at` steps, and, with "ts_file" (a torch.save'd
  {"opt": ..., "sched": ...} written by TypeScript after `save_at` steps), the lrs of a
  fresh optimizer and scheduler that load them and step on ("ts_lrs").

Exec case:
  {"kind": "exec", "code": "..."}: runs the code with torch, p() (a fresh leaf
  parameter), Adam, AdamW, SGD and lr_scheduler in scope. Result: {"type": the
  exception's class name or null, "message": its message, "warnings": [messages],
  "result": the JSON value the code left in `result`, if any}.
"""
import copy
import math
import json
import sys
import warnings

import torch
from torch.optim import lr_scheduler


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
        return {"float": v if math.isfinite(v) else repr(v)}  # JSON has no inf/nan: "inf", "-inf", "nan"
    if isinstance(v, str):
        return {"str": v}
    if isinstance(v, tuple):
        return {"tuple": [value_desc(x) for x in v]}
    if isinstance(v, list):
        return {"list": [value_desc(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[k, value_desc(x)] for k, x in v.items()]}
    return {"other": repr(v)}


def from_desc(d):
    if d is None:
        return None
    (kind, v), = d.items()
    if kind == "tensor":
        return torch.tensor(v["data"], dtype=getattr(torch, v["dtype"])).reshape(v["shape"])
    if kind == "float":
        return float(v)
    if kind in ("bool", "int", "str"):
        return v
    if kind == "tuple":
        return tuple(from_desc(x) for x in v)
    if kind == "list":
        return [from_desc(x) for x in v]
    if kind == "dict":
        return {k: from_desc(x) for k, x in v}
    raise ValueError(kind)


def state_dict_desc(sd):
    return {
        "state": [[k, [[sk, value_desc(sv)] for sk, sv in s.items()]] for k, s in sd["state"].items()],
        "param_groups": [[[k, value_desc(v)] for k, v in g.items()] for g in sd["param_groups"]],
    }


def state_dict_from_desc(d):
    return {
        "state": {k: {sk: from_desc(sv) for sk, sv in s} for k, s in d["state"]},
        "param_groups": [{k: from_desc(v) for k, v in g} for g in d["param_groups"]],
    }


NAMES = ["W", "b", "u"]


def make_params(init):
    W = torch.tensor(init["W"], dtype=torch.float32, requires_grad=True)
    b = torch.tensor(init["b"], dtype=torch.float32, requires_grad=True)
    u = torch.tensor(init["u"], dtype=torch.float32, requires_grad=True)
    return [W, b, u]


def tuple_betas(d):
    d = dict(d)
    for k in ("betas", "etas", "step_sizes"):
        if k in d:
            d[k] = tuple(d[k])  # JSON has no tuples; Python users write (0.9, 0.999)
    return d


def make_opt(case, params):
    cls = getattr(torch.optim, case["opt"])
    kwargs = tuple_betas(case["kwargs"])
    named = case.get("named", False)

    def pick(i):
        return (NAMES[i], params[i]) if named else params[i]

    if case.get("groups"):
        groups = []
        for g in case["groups"]:
            g = tuple_betas(g)
            g["params"] = [pick(i) for i in g["params"]]
            groups.append(g)
        return cls(groups, **kwargs)
    return cls([pick(i) for i in range(len(params))], **kwargs)


def train_step(opt, params, X, Y):
    W, b, _ = params
    if isinstance(opt, torch.optim.LBFGS):
        def closure():
            opt.zero_grad()
            loss = ((X @ W.t() + b - Y) ** 2).mean()
            loss.backward()
            return loss
        opt.step(closure)
        return
    opt.zero_grad()
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
            saved = copy.deepcopy(opt.state_dict())
            saved_params = [p.detach().clone() for p in params]
    out = {"history": history, "final_sd": state_dict_desc(opt.state_dict()),
           "saved_sd": state_dict_desc(saved), "repr": repr(opt),
           "defaults": [[k, value_desc(v)] for k, v in opt.defaults.items()]}
    rest = case["steps"] - case["save_at"]
    # Resume from the saved state dict in a fresh optimizer.
    params2 = [p.clone().requires_grad_(True) for p in saved_params]
    opt2 = make_opt(case, params2)
    opt2.load_state_dict(saved)
    for _ in range(rest):
        train_step(opt2, params2, X, Y)
    out["resumed"] = [p.detach().reshape(-1).double().tolist() for p in params2]
    # Resume from TypeScript's checkpoint.
    if case.get("ts_file"):
        ck = torch.load(case["ts_file"])
        params3 = [t.clone().requires_grad_(True) for t in ck["params"]]
        opt3 = make_opt(case, params3)
        opt3.load_state_dict(ck["sd"])
        out["ts_loaded_sd"] = state_dict_desc(opt3.state_dict())
        for _ in range(rest):
            train_step(opt3, params3, X, Y)
        out["ts_resumed"] = [p.detach().reshape(-1).double().tolist() for p in params3]
    return out


def run_load(case):
    X = torch.tensor(case["X"], dtype=torch.float32)
    Y = torch.tensor(case["Y"], dtype=torch.float32)
    params = make_params(case["init"])
    opt = make_opt(case, params)
    opt.load_state_dict(state_dict_from_desc(case["sd"]))
    loaded = state_dict_desc(opt.state_dict())
    for _ in range(case["steps"]):
        train_step(opt, params, X, Y)
    return {"loaded_sd": loaded, "params": [p.detach().reshape(-1).double().tolist() for p in params],
            "final_sd": state_dict_desc(opt.state_dict())}


def lambda_for(spec):
    name = spec["name"]
    if name == "exp":
        return lambda e: 0.95 ** e
    if name == "mult":
        return lambda e: 0.9 if e % 2 else 0.97
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


def make_sched_pair(case):
    params = [torch.zeros(2, requires_grad=True) for _ in case["lrs"]]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, case["lrs"])]
    opt = getattr(torch.optim, case["opt"])(groups, **case["opt_kwargs"])
    for g, extra in zip(opt.param_groups, case.get("group_extra") or [{} for _ in groups]):
        g.update(tuple_betas(extra))
    return opt, build_sched(opt, case["sched"], case["kwargs"])


def build_sched(opt, name, kwargs):
    """A scheduler from its name and kwargs; "schedulers" (SequentialLR, ChainedScheduler) holds
    [{"sched", "kwargs"}] built on the same optimizer; lr_lambda holds lambda specs."""
    kwargs = dict(kwargs)
    if name in ("LambdaLR", "MultiplicativeLR"):
        lam = kwargs.pop("lr_lambda")
        kwargs["lr_lambda"] = [lambda_for(x) for x in lam] if isinstance(lam, list) else lambda_for(lam)
    if "scale_fn" in kwargs:
        kwargs["scale_fn"] = lambda_for(kwargs["scale_fn"])
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build_sched(opt, s["sched"], s["kwargs"]) for s in kwargs["schedulers"]]
    if name == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler(kwargs["schedulers"], optimizer=opt)
    return getattr(lr_scheduler, name)(opt, **kwargs)


def sched_step(sched, case, i):
    metrics = case.get("metrics")
    epochs = case.get("epochs")
    if metrics:
        sched.step(metrics[i])
    elif epochs:
        sched.step(epochs[i])
    else:
        sched.step()


def sched_desc(sched):
    return [[k, value_desc(v)] for k, v in sched.state_dict().items()]


def groups_desc(opt):
    return [[[k, value_desc(v)] for k, v in g.items() if k != "params"] for g in opt.param_groups]


def run_sched(case):
    opt, sched = make_sched_pair(case)
    if case.get("load_sd"):
        sched.load_state_dict({k: from_desc(v) for k, v in case["load_sd"]})
    lrs = [sched.get_last_lr()]
    moms = [[momentum_of(g) for g in opt.param_groups]]
    mid = None
    for i in range(case["steps"]):
        opt.step()
        sched_step(sched, case, i)
        lrs.append(sched.get_last_lr())
        moms.append([momentum_of(g) for g in opt.param_groups])
        if i + 1 == case["save_at"]:
            mid = {"opt_sd": state_dict_desc(opt.state_dict()), "sched_sd": sched_desc(sched)}
    out = {
        "lrs": lrs,
        "momentums": moms,
        "sched_sd": sched_desc(sched),
        "param_groups": groups_desc(opt),
        "mid": mid,
    }
    if case.get("ts_file"):
        ck = torch.load(case["ts_file"])
        opt2, sched2 = make_sched_pair(dict(case, lrs=[x * 3 for x in case["lrs"]]))
        opt2.load_state_dict(ck["opt"])
        sched2.load_state_dict(ck["sched"])
        ts_lrs = []
        for i in range(case["save_at"], case["steps"]):
            opt2.step()
            sched_step(sched2, case, i)
            ts_lrs.append(sched2.get_last_lr())
        out["ts_lrs"] = ts_lrs
    return out


def run_exec(case):
    def p():
        return torch.zeros(1, requires_grad=True)

    scope = {"torch": torch, "p": p, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
             "SGD": torch.optim.SGD, "lr_scheduler": lr_scheduler}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(case["code"], scope)
        except Exception as e:  # noqa: BLE001 - the point is to report it
            message = e.args[0] if isinstance(e, KeyError) else str(e)
            return {"type": type(e).__name__, "message": message, "warnings": [str(w.message) for w in caught]}
    return {"type": None, "message": None, "warnings": [str(w.message) for w in caught], "result": scope.get("result")}


def main():
    torch.set_num_threads(1)
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        run = {"opt": run_opt, "load": run_load, "sched": run_sched, "exec": run_exec}[case["kind"]]
        out.append(run(case))
    json.dump(out, sys.stdout)


main()
