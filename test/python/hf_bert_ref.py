"""Reference numbers from transformers for the test/65-hf-*.test.ts files.

Reads one JSON request on stdin, prints one JSON answer (last line of stdout).
Requests ({"op": ...}):
  build     builds small random BERT models of every class with a seed, saves them
            (safetensors; `bin_dir` also gets a torch.save'd pytorch_model.bin with
            the tied keys, as transformers 4 wrote), and returns their outputs
            and losses on the given inputs in eval mode.
  train     loads BertForPreTraining from `dir`, runs AdamW steps on the given
            batches in train mode and returns the losses and final logits.
  load      from_pretrained of folders written by the TS side: loading info and outputs.
  info      from_pretrained(dir) into several classes: transformers' loading info.
  tokenize  builds BertTokenizerFast from a vocab file (cased/uncased), saves
            folders, and returns the ids of the given sentences and pairs.
  tokenize_dir  AutoTokenizer.from_pretrained(dir): ids of the sentences.
  classify  AutoModelForSequenceClassification + AutoTokenizer from `dir`: logits of texts.
  losses    BertForPreTraining(**inputs) loss on given batch-first inputs.
"""
import json
import os
import shutil
import sys
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
import transformers
from transformers import (
    AutoTokenizer,
    BertConfig,
    BertForMaskedLM,
    BertForPreTraining,
    BertForSequenceClassification,
    BertForTokenClassification,
    BertModel,
    BertTokenizerFast,
)

transformers.logging.set_verbosity_error()
try:
    transformers.utils.logging.disable_progress_bar()
except Exception:
    pass

CLASSES = {
    "BertModel": BertModel,
    "BertForPreTraining": BertForPreTraining,
    "BertForMaskedLM": BertForMaskedLM,
    "BertForSequenceClassification": BertForSequenceClassification,
    "BertForTokenClassification": BertForTokenClassification,
}


def flat(t):
    return t.detach().float().reshape(-1).tolist()


def long(x):
    return torch.tensor(x, dtype=torch.long)


def outputs(model, inp, spec_name=None):
    """Outputs on inp; labels are looked up by spec name, then by class name; float_labels[spec name] are float32."""
    kw = {k: long(inp[k]) for k in ("attention_mask", "token_type_ids") if k in inp}
    name = type(model).__name__
    all_labels = inp.get("labels", {})
    labels = all_labels.get(spec_name, all_labels.get(name))
    if name == "BertForPreTraining" and labels is not None:
        kw["labels"] = long(labels)
        kw["next_sentence_label"] = long(inp["next_sentence_label"])
    elif spec_name in inp.get("float_labels", {}):
        kw["labels"] = torch.tensor(inp["float_labels"][spec_name], dtype=torch.float32)
    elif labels is not None:
        kw["labels"] = long(labels)
    with torch.no_grad():
        out = model(input_ids=long(inp["input_ids"]), **kw)
    res = {}
    for k in ("last_hidden_state", "pooler_output", "prediction_logits", "seq_relationship_logits", "logits"):
        v = getattr(out, k, None)
        if v is not None:
            res[k] = flat(v)
    if getattr(out, "loss", None) is not None:
        res["loss"] = out.loss.item()
    return res


def info_of(info):
    return {k: sorted(info[k]) for k in ("missing_keys", "unexpected_keys")}


def op_build(req):
    res = {}
    for spec in req["models"]:
        name = spec["name"]
        torch.manual_seed(spec.get("seed", 0))
        cfg = BertConfig(**spec["config"])
        model = CLASSES[spec["cls"]](cfg).eval()
        if spec.get("max_shard_size"):
            model.save_pretrained(spec["dir"], max_shard_size=spec["max_shard_size"])
        else:
            model.save_pretrained(spec["dir"])
        if spec.get("bin_dir"):
            os.makedirs(spec["bin_dir"], exist_ok=True)
            shutil.copy(os.path.join(spec["dir"], "config.json"), spec["bin_dir"])
            torch.save(model.state_dict(), os.path.join(spec["bin_dir"], "pytorch_model.bin"))
        res[name] = outputs(model, req["inputs"], name)
        res[name]["keys"] = list(model.state_dict().keys())
    return res


def op_train(req):
    torch.manual_seed(0)
    model = BertForPreTraining.from_pretrained(req["dir"])
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=req["lr"], weight_decay=req["weight_decay"])
    losses = []
    for b in req["batches"]:
        opt.zero_grad()
        out = model(
            input_ids=long(b["input_ids"]),
            attention_mask=long(b["attention_mask"]),
            token_type_ids=long(b["token_type_ids"]),
            labels=long(b["labels"]),
            next_sentence_label=long(b["next_sentence_label"]),
        )
        out.loss.backward()
        opt.step()
        losses.append(out.loss.item())
    model.eval()
    res = outputs(model, req["inputs"])
    res["losses"] = losses
    return res


def op_load(req):
    res = {}
    for item in req["dirs"]:
        model, info = CLASSES[item["cls"]].from_pretrained(item["dir"], output_loading_info=True)
        model.eval()
        r = outputs(model, req["inputs"])
        r["info"] = info_of(info)
        r["tied"] = (
            model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
            if hasattr(model, "cls")
            else None
        )
        res[item["dir"]] = r
    return res


def op_info(req):
    res = {}
    for item in req["cases"]:
        kw = item.get("kwargs", {})
        _, info = CLASSES[item["cls"]].from_pretrained(item["dir"], output_loading_info=True, **kw)
        res[item["name"]] = info_of(info)
    return res


def op_tokenize(req):
    res = {}
    for case in req["cases"]:
        specials = case.get("specials", {})
        tok = BertTokenizerFast(vocab=case["vocab"], do_lower_case=case["lower"], **specials)
        tok.save_pretrained(case["dir"])
        if case.get("vocab_dir"):
            os.makedirs(case["vocab_dir"], exist_ok=True)
            shutil.copy(case["vocab"], os.path.join(case["vocab_dir"], "vocab.txt"))
            with open(os.path.join(case["vocab_dir"], "tokenizer_config.json"), "w") as f:
                json.dump({"do_lower_case": case["lower"], "tokenizer_class": "BertTokenizer", "model_max_length": 512, **specials}, f)
        single = tok(req["sentences"])["input_ids"]
        pairs = tok([p[0] for p in req["pairs"]], [p[1] for p in req["pairs"]])
        b = req["batch"]
        batch = tok(b["texts"], b["pairs"], padding=True, truncation=True, max_length=b["max_length"])
        res[case["name"]] = {
            "single": single,
            "pairs": pairs["input_ids"],
            "pair_types": pairs["token_type_ids"],
            "batch": {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids")},
        }
    return res


def op_tokenize_dir(req):
    tok = AutoTokenizer.from_pretrained(req["dir"])
    return {"single": tok(req["sentences"])["input_ids"], "class": type(tok).__name__}


def op_classify(req):
    from transformers import AutoModelForSequenceClassification

    tok = AutoTokenizer.from_pretrained(req["dir"])
    model = AutoModelForSequenceClassification.from_pretrained(req["dir"]).eval()
    enc = tok(req["texts"], padding=True, truncation=True, max_length=req["max_length"], return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    return {"logits": flat(logits), "input_ids": enc["input_ids"].tolist(), "class": type(model).__name__, "id2label": model.config.id2label}


def op_losses(req):
    model = BertForPreTraining.from_pretrained(req["dir"]).eval()
    b = req["batch"]
    with torch.no_grad():
        out = model(
            input_ids=long(b["input_ids"]),
            attention_mask=long(b["attention_mask"]),
            token_type_ids=long(b["token_type_ids"]),
            labels=long(b["labels"]),
            next_sentence_label=long(b["next_sentence_label"]),
        )
    return {"loss": out.loss.item()}


OPS = {k[3:]: v for k, v in globals().items() if k.startswith("op_")}

if __name__ == "__main__":
    request = json.loads(sys.stdin.read())
    answer = OPS[request["op"]](request)
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
