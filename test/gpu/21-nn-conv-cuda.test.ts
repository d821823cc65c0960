/**
 * Convolution, normalization and pooling layers on CUDA against the reference
 * PyTorch on CUDA: outputs, input gradients and every parameter gradient
 * (cuDNN's kernels on both sides). Skips, saying why, without CUDA here or in
 * the reference Python.
 */
import { spawnSync } from 'node:child_process';
import * as torch from '../../lib/torch/index.js';
import { referencePython } from '../../scripts/reference-python.js';
import { jitter, mcase, moduleCases, randIn } from '../20-nn-helpers.js';

const nn = torch.nn;
const PY = referencePython();

let why: string | null | undefined;
/** Null when CUDA is usable on both sides, else the reason to skip. */
function skipReason(): string | null {
  if (why !== undefined) return why;
  if (!torch.cuda.isAvailable()) {
    why = `CUDA not available: torch.cuda.isAvailable() is false (libtorch ${torch.version}, ${torch.cuda.deviceCount()} CUDA devices)`;
    return why;
  }
  const r = spawnSync(PY, ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available())'], { encoding: 'utf8' });
  if (r.status !== 0) why = `reference Python ${PY} cannot import torch (set TORCH_REF_PYTHON)`;
  else if (!r.stdout.trim().endsWith('True')) why = `reference Python ${PY} (torch ${r.stdout.trim().split(' ')[0]}) has no CUDA`;
  else why = null;
  return why;
}

describe('gpu 21: convolution, normalization and pooling layers on CUDA vs PyTorch on CUDA', function () {
  this.timeout(300_000);
  const tol = { rtol: 1e-3, atol: 1e-4 };
  moduleCases(
    [
      mcase({
        name: 'Conv2d stride 2, padding 1, groups 2',
        make: () => new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }),
        build: 'nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)',
        inputs: { x: randIn([2, 4, 7, 6], 1) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d padding 'same', paddingMode 'reflect'",
        make: () => new nn.Conv2d(2, 3, 4, { padding: 'same', paddingMode: 'reflect' }),
        build: "nn.Conv2d(2, 3, 4, padding='same', padding_mode='reflect')",
        inputs: { x: randIn([2, 2, 6, 5], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv1d dilation 2',
        make: () => new nn.Conv1d(3, 4, 3, { dilation: 2 }),
        build: 'nn.Conv1d(3, 4, 3, dilation=2)',
        inputs: { x: randIn([2, 3, 9], 3) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv3d',
        make: () => new nn.Conv3d(2, 3, 2),
        build: 'nn.Conv3d(2, 3, 2)',
        inputs: { x: randIn([1, 2, 3, 4, 3], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'ConvTranspose2d stride 2, outputPadding 1',
        make: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, outputPadding: 1 }),
        build: 'nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=1)',
        inputs: { x: randIn([2, 3, 4, 4], 5) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm2d (training)',
        make: () => jitter(new nn.BatchNorm2d(3)),
        build: 'nn.BatchNorm2d(3)',
        inputs: { x: randIn([2, 3, 4, 5], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm1d (eval)',
        make: () => jitter(new nn.BatchNorm1d(4)),
        build: 'nn.BatchNorm1d(4)',
        train: false,
        inputs: { x: randIn([5, 4], 7) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'GroupNorm',
        make: () => jitter(new nn.GroupNorm(2, 4)),
        build: 'nn.GroupNorm(2, 4)',
        inputs: { x: randIn([2, 4, 3, 3], 8) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'InstanceNorm2d affine',
        make: () => jitter(new nn.InstanceNorm2d(3, { affine: true })),
        build: 'nn.InstanceNorm2d(3, affine=True)',
        inputs: { x: randIn([2, 3, 4, 4], 9) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'MaxPool2d(3, stride 2, padding 1)',
        make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
        build: 'nn.MaxPool2d(3, stride=2, padding=1)',
        inputs: { x: randIn([2, 2, 7, 7], 10) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'AvgPool2d ceilMode',
        make: () => new nn.AvgPool2d(2, { ceilMode: true }),
        build: 'nn.AvgPool2d(2, ceil_mode=True)',
        inputs: { x: randIn([2, 2, 5, 5], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'AdaptiveAvgPool2d(1)',
        make: () => new nn.AdaptiveAvgPool2d(1),
        build: 'nn.AdaptiveAvgPool2d(1)',
        inputs: { x: randIn([2, 3, 4, 5], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Upsample bilinear',
        make: () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }),
        build: "nn.Upsample(scale_factor=2, mode='bilinear')",
        inputs: { x: randIn([1, 2, 3, 3], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
    ],
    { device: 'cuda', python: PY, skipUnless: skipReason },
  );
});
