import * as torch from '../lib/torch/index.js';
const { nn, optim } = torch;

// Tensors: creation, broadcasting, reductions, indexing.
const x = torch.tensor(
  [
    [1, 2, 3],
    [4, 5, 6],
  ],
  { dtype: 'float32' },
);
const y = x.mul(2).add(torch.ones([3]));
console.log(String(y)); // tensor([[ 3.,  5.,  7.], [ 9., 11., 13.]])
console.log(y.sum(1).tolist(), y.index(1, '0:3:2').tolist()); // [ 15, 33 ] [ 9, 13 ]

// Autograd: d/dw sum((w * x)^2) = 2 * w * x^2.
const w = torch.full([3], 0.5, { requiresGrad: true });
const loss = w.mul(x).pow(2).sum();
loss.backward();
console.log(w.grad?.tolist()); // [ 17, 29, 45 ]

// A small model trained a few steps: fit y = 3x - 1 with an MLP.
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(1, 16), new nn.ReLU(), new nn.Linear(16, 1));
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
const inputs = torch.linspace(-1, 1, 64).view(-1, 1);
const targets = inputs.mul(3).sub(1);
let first = 0;
let last = 0;
for (let step = 0; step < 60; step++) {
  // Each step runs in a scope: every tensor made inside is freed at its end.
  last = torch.tidy(() => {
    opt.zeroGrad();
    const pred = model.forward(inputs) as torch.Tensor;
    const mse = nn.functional.mseLoss(pred, targets);
    mse.backward();
    opt.step();
    return mse.item();
  });
  if (step === 0) first = last;
}
console.log(`mse ${first.toFixed(3)} -> ${last.toFixed(4)}`);
console.log(`live tensors: ${torch.memory().numTensors}`);
