/**
 * What must not outlive its owner: a Tensor posted to another thread (its
 * native handle would be used from two threads at once), and an async
 * function refused by torch.tidy (it would run on with freed tensors).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { Worker, MessageChannel } from 'node:worker_threads';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOT_CLONEABLE = 'Symbol(torch.Tensor: a tensor cannot be sent to another thread; send t.tolist() or a typed array of its data) could not be cloned.';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** Runs an ES module snippet with tsx in a fresh process. */
function runModule(code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('10 core: what must not outlive its owner', function () {
  this.timeout(120_000);

  describe('tensors and threads', () => {
    it('refuses to clone a Tensor (structuredClone, a MessagePort, a Worker) with a clear error', async () => {
      const t = torch.ones([2, 3]);
      const p = new torch.nn.Parameter(torch.zeros([2]));
      try {
        for (const v of [t, p, { batch: [t] }, new Map([['w', p]])]) {
          const e = errorOf(() => structuredClone(v));
          expect([e.name, e.message]).to.deep.equal(['DataCloneError', NOT_CLONEABLE]);
        }
        const { port1, port2 } = new MessageChannel();
        const got: unknown[] = [];
        port2.on('message', (m) => got.push(m));
        expect(errorOf(() => port1.postMessage({ t })).message).to.equal(NOT_CLONEABLE);
        // What a tensor holds can be sent.
        port1.postMessage({ data: t.tolist(), shape: t.shape });
        const w = new Worker('require("node:worker_threads").parentPort.on("message", (m) => { throw new Error("received " + JSON.stringify(m)); });', {
          eval: true,
        });
        try {
          expect(errorOf(() => w.postMessage(t)).message).to.equal(NOT_CLONEABLE);
        } finally {
          await w.terminate();
        }
        await new Promise((r) => setTimeout(r, 50));
        port1.close();
        expect(got).to.deep.equal([
          {
            data: [
              [1, 1, 1],
              [1, 1, 1],
            ],
            shape: [2, 3],
          },
        ]);
        // The tensor is untouched and usable.
        expect(t.sum().item()).to.equal(6);
      } finally {
        t.dispose();
        p.dispose();
      }
    });
  });

  describe('torch.tidy and async functions', () => {
    const MESSAGE = 'torch.tidy() takes a synchronous function; await inside an async function and call tidy per step';

    it('refuses an async function before it runs: nothing it would do happens', () => {
      let ran = false;
      const before = torch.memory().numTensors;
      const e = errorOf(() =>
        torch.tidy((async () => {
          ran = true;
          return torch.ones([1]);
        }) as never),
      );
      expect([e.constructor, e.message]).to.deep.equal([TypeError, MESSAGE]);
      expect(ran).to.equal(false);
      expect(torch.memory().numTensors).to.equal(before);
    });

    it('leaves nothing that can fail unhandled afterwards (async function, or a function returning a promise)', () => {
      // In a fresh process: an unhandled 'Tensor has been disposed' would end it with exit code 1.
      const r = runModule(
        `const torch = await import('./lib/torch/index.js');` +
          `const refused = [];` +
          `try { torch.tidy(async () => { const t = torch.ones([2]); await null; return t.add(1); }); } catch (e) { refused.push(e.message); }` +
          `try { torch.tidy(() => { const t = torch.ones([2]); return (async () => { await null; return t.add(1); })(); }); } catch (e) { refused.push(e.message); }` +
          `await new Promise((r) => setTimeout(r, 200));` +
          `console.log(JSON.stringify({ refused, live: torch.memory().numTensors }));`,
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({ refused: [MESSAGE, MESSAGE], live: 0 });
    });
  });
});
