/**
 * Writing your own optimizer: Lion (Chen et al., 2023) in a few lines, on the
 * library's Optimizer base class. The option table gives the constructor's
 * options, defaults, checks, parameter groups, state dicts (PyTorch's layout)
 * and repr; `step()` is PyTorch-style in-place tensor code.
 *
 *   npx tsx examples/custom-optimizer.ts
 */
import { pathToFileURL } from 'node:url';
import * as torch from '../lib/torch/index.js';
const { optim } = torch;

/** Lion's options: each declared once, with PyTorch-style defaults and checks. */
export const LION_OPTIONS = {
  lr: optim.option(1e-4, optim.nonNegative('learning rate')), // "Invalid learning rate: -1" (RangeError)
  betas: optim.option<[number, number]>([0.9, 0.99], optim.betaPair, { tuple: true }), // saved as a Python tuple
  weightDecay: optim.option(0, optim.nonNegative('weight_decay value')),
};
export type LionOptions = torch.optim.OptionsOf<typeof LION_OPTIONS>; // { lr?: number; betas?: [number, number]; weightDecay?: number }

/** Lion: `p -= lr * sign(beta1 * m + (1 - beta1) * g)`, then `m = beta2 * m + (1 - beta2) * g`. State: `expAvg`. */
export class Lion extends optim.Optimizer<typeof LION_OPTIONS> {
  static readonly options = LION_OPTIONS; // the base class reads the table from here

  constructor(params: torch.optim.ParamsInput<LionOptions>, opts: LionOptions = {}) {
    super(params, opts);
  }

  step<L>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    // Each parameter with a gradient, without recording gradients, temporaries freed after each.
    optim.forEachGrad(this.paramGroups, (p, grad, group) => {
      const state = this.stateOf(p); // saved as state[index] = {exp_avg: ...}
      if (state.expAvg === undefined) state.expAvg = this.own(torch.zerosLike(p)); // own(): outlives tidy scopes
      const expAvg = optim.stateTensor(state, 'expAvg', this.name);
      const [beta1, beta2] = group.betas;
      const update = expAvg.lerp(grad, 1 - beta1).sign_();
      p.mul_(1 - group.lr * group.weightDecay);
      p.add_(update, { alpha: -group.lr });
      expAvg.lerp_(grad, 1 - beta2);
    });
    return loss;
  }
}

function main(): void {
  // Fit y = 2x + 1 with one Linear layer.
  torch.manualSeed(0);
  const model = new torch.nn.Linear(1, 1);
  const opt = new Lion(model.parameters(), { lr: 0.02 });
  const sched = new optim.CosineAnnealingLR(opt, { tMax: 200 }); // schedulers work with it too
  const x = torch.linspace(-1, 1, 32).view(-1, 1);
  const y = x.mul(2).add(1);
  let last = 0;
  for (let i = 0; i < 200; i++) {
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = torch.nn.functional.mseLoss(model.forward(x), y);
      loss.backward();
      opt.step();
      sched.step();
      last = loss.item();
    });
  }
  console.log(`loss after 200 steps: ${last.toFixed(4)}`);
  console.log(String(opt)); // Python-style repr: Lion ( Parameter Group 0 ... )
  // The state dict has PyTorch's layout: torch.save it, and load it into a fresh Lion.
  const sd = opt.stateDict();
  console.log([...sd.state.keys()], Object.keys(sd.param_groups[0]));
  const again = new Lion(model.parameters());
  again.loadStateDict(sd);
  console.log(`loaded: lr ${again.paramGroups[0].lr}, betas ${JSON.stringify(again.paramGroups[0].betas)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
