/**
 * Helpers of the tests that use the packed packages from a scratch consumer
 * project (test/90-package, test/slow/source-build): running a command there,
 * and a small training script that prints what it learned and which addon it loaded.
 */
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/** Runs `cmd args` in `cwd` with the environment plus `env`. */
export function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
}

/** Its stdout; fails the test with the output's tail when it exited non-zero. */
export function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).to.equal(0);
  return r.stdout;
}

/** What {@link TRAIN} prints on its last line. */
export interface TrainReport {
  first: number;
  last: number;
  addon: { source: string; path: string };
  version: string;
}

/** A training script's body (after a line that binds `torch`): fits a line with an MLP for 40 Adam steps. */
export const TRAIN = `
const { nn, optim } = torch;
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(1, 16), new nn.ReLU(), new nn.Linear(16, 1));
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
const x = torch.linspace(-1, 1, 64).view(-1, 1);
const y = x.mul(3).sub(1);
const losses = [];
for (let step = 0; step < 40; step++) {
  losses.push(torch.tidy(() => {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  }));
}
console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1], addon: torch.addonInfo(), version: torch.version }));
`;

/** The report on the last line of a run of {@link TRAIN}. */
export function trainReport(stdout: string): TrainReport {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as TrainReport;
}
