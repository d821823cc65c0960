/**
 * Faults: a rank that stalls makes the others fail within the configured
 * timeout with an error naming the collective and the rank that did not
 * arrive; a rank killed mid-run (rank 0, which hosts the store, included)
 * makes the others fail at once; no rank hangs.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { killAll, launch, type RankRun } from './80-distributed-helpers.js';

const TIMEOUT_MS = 3000;
/** Reading the arrival records twice, 1.2 s apart, plus a loaded machine's slack. */
const DIAGNOSIS_MS = 2500;

interface LoopResult {
  error: string;
  ms: number;
}

/** 3 ranks all-reducing until one fails: `fault(rank, child)` is called once each rank is running. */
async function faultRun(env: NodeJS.ProcessEnv, fault: (rank: number, child: ChildProcess, all: ChildProcess[]) => void): Promise<RankRun[]> {
  const children: ChildProcess[] = [];
  return launch(['ts', 'ts', 'ts'], ['loop'], {
    env: { TN_DIST_TIMEOUT_MS: String(TIMEOUT_MS), ...env },
    timeoutMs: 60_000,
    onStart: (rank, child) => {
      children[rank] = child;
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        const before = out;
        out += d.toString();
        if (!/"(running|stalled)"/.test(before) && /"(running|stalled)"/.test(out)) fault(rank, child, children);
      });
    },
  });
}

function failure(run: RankRun): LoopResult {
  expect(run.code, run.stderr.slice(-2000)).to.equal(1);
  return run.result as LoopResult;
}

describe('distributed faults', function () {
  this.timeout(120_000);
  after(killAll);

  it('a rank that never arrives: the others fail within the timeout, naming the collective and that rank', async () => {
    const runs = await faultRun({ TN_STALL_RANK: '2' }, (rank, child, all) => {
      if (rank !== 2) return;
      // Once both others have exited, end the stalled one.
      let exited = 0;
      for (const c of all.slice(0, 2)) c.on('exit', () => ++exited === 2 && child.kill('SIGKILL'));
    });
    for (const r of runs.slice(0, 2)) {
      const { error, ms } = failure(r);
      expect(error).to.match(
        new RegExp(
          `^allReduce timed out on rank ${r.rank} of 3 \\(collective #\\d+ of the default group, timeout 3000 ms\\): rank 2 did not arrive \\(rank 2 is at #\\d+ allReduce\\); gloo: `,
        ),
      );
      expect(ms)
        .to.be.at.least(TIMEOUT_MS - 100)
        .and.below(TIMEOUT_MS + DIAGNOSIS_MS);
    }
    expect(runs[2].signal).to.equal('SIGKILL');
  });

  it('a rank killed mid-run: the others fail at once, naming it as not responding', async () => {
    // Rank 0 keeps the store up after failing: a survivor that fails later (rank 2
    // may be waiting on rank 0 when rank 1 dies) still finds it; without that it
    // reports the store gone, which the next test checks.
    const runs = await faultRun({ TN_LINGER_MS: String(TIMEOUT_MS + 2 * DIAGNOSIS_MS) }, (rank, child) => rank === 1 && child.kill('SIGKILL'));
    for (const r of [runs[0], runs[2]]) {
      const { error, ms } = failure(r);
      expect(error).to.match(
        new RegExp(
          `^allReduce (failed|timed out) on rank ${r.rank} of 3 \\(collective #\\d+ of the default group, timeout 3000 ms\\): rank 1 is not responding \\(exited or stopped\\)`,
        ),
      );
      expect(ms).to.be.below(TIMEOUT_MS + DIAGNOSIS_MS);
    }
  });

  it('rank 0 (the store host) killed mid-run: the others fail at once and say the store is gone', async () => {
    const runs = await faultRun({}, (rank, child) => rank === 0 && child.kill('SIGKILL'));
    for (const r of runs.slice(1)) {
      const { error, ms } = failure(r);
      expect(error).to.match(
        new RegExp(`^allReduce (failed|timed out) on rank ${r.rank} of 3 .*: the store did not answer \\(.*\\), so which ranks did not arrive is unknown`),
      );
      expect(ms).to.be.below(TIMEOUT_MS + DIAGNOSIS_MS);
    }
  });
});
