#!/usr/bin/env python3
"""Reference side of test/21-nn-resnet.test.ts: the small ResNet of
examples/resnet.ts written in PyTorch, loaded from the TS model's initial
weights (a .pt file written by our torch.save), trained on the same batches
with the same optimizer. JSON on stdin: a list of runs
[{"weights": path, "batches": [{"images", "labels", "n", "size"}], "optimizer": "sgd"|"adam", "lr": float}]
With "saveTo" (a path), the trained state dict is also written there by Python's
torch.save, and "evalOut" holds the eval-mode logits on the first batch.
JSON on stdout (last line): per run {"losses", "stateKeys", "final": {key: [flat values]}, "repr", "evalOut"}.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, in_channels=1, width=16, num_classes=4):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(2)
        self.layer1 = nn.Sequential(BasicBlock(width, width))
        self.layer2 = nn.Sequential(BasicBlock(width, 2 * width, 2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        h = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        h = self.layer2(self.layer1(h))
        return self.fc(torch.flatten(self.avgpool(h), 1))


def run(cfg):
    model = ResNet()
    model.load_state_dict(torch.load(cfg['weights']), strict=True)
    if cfg['optimizer'] == 'adam':
        opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=cfg['lr'], momentum=0.9, weight_decay=5e-4)
    model.train()
    losses = []
    for b in cfg['batches']:
        x = torch.tensor(b['images'], dtype=torch.float32).reshape(b['n'], 1, b['size'], b['size'])
        y = torch.tensor(b['labels'], dtype=torch.int64)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    sd = model.state_dict()
    eval_out = None
    if cfg.get('saveTo'):
        torch.save(sd, cfg['saveTo'])
        b = cfg['batches'][0]
        model.eval()
        with torch.no_grad():
            x = torch.tensor(b['images'], dtype=torch.float32).reshape(b['n'], 1, b['size'], b['size'])
            eval_out = model(x).double().reshape(-1).tolist()
    return {'evalOut': eval_out, 'losses': losses, 'stateKeys': [[k, list(v.shape)] for k, v in sd.items()],
            'final': {k: v.double().reshape(-1).tolist() for k, v in sd.items()}, 'repr': repr(model)}


def main():
    out = [run(cfg) for cfg in json.loads(sys.stdin.read())]
    sys.stdout.write('\n' + json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
