/**
 * Devices: torch.device, tensor devices, torch.cuda where CUDA is absent (the
 * GPU suite in test/gpu covers CUDA itself).
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import * as torch from '../lib/torch/index.js';
import { errorOf, refBatch } from './helpers/python.js';

const hasCuda = torch.cuda.isAvailable();

describe('10 core: devices', () => {
  const ref = refBatch();

  describe('torch.device', () => {
    for (const [py, ts] of [
      ["torch.device('cpu')", () => torch.device('cpu')],
      ["torch.device('cuda')", () => torch.device('cuda')],
      ["torch.device('cuda:1')", () => torch.device('cuda:1')],
      ["torch.device('cuda', 2)", () => torch.device('cuda', 2)],
    ] as const) {
      ref.it(`${py} prints like PyTorch`, {}, `(repr(${py}), str(${py}), ${py}.type, ${py}.index)`, () => {
        const d = ts();
        return [inspect(d), String(d), d.type, d.index];
      });
    }

    it('compares devices', () => {
      expect(torch.device('cuda').equals('cuda:0')).to.equal(true);
      expect(torch.device('cuda:1').equals(torch.device('cuda', 1))).to.equal(true);
      expect(torch.device('cpu').equals('cuda')).to.equal(false);
      const d = torch.device('cpu');
      expect(torch.device(d)).to.equal(d);
      expect(new torch.Device(torch.device('cuda:3')).index).to.equal(3);
    });

    it('rejects unknown device strings with TypeErrors', () => {
      expect(() => torch.device('gpu')).to.throw(TypeError, "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'gpu' of type string");
      expect(() => torch.device('cuda:x')).to.throw(
        TypeError,
        "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'cuda:x' of type string",
      );
      expect(() => torch.device('cpu:1')).to.throw(TypeError, "Expected 'cpu' without an index for device but received 'cpu:1' of type string");
      expect(() => torch.device(3 as never)).to.throw(TypeError, "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 3 of type number");
      expect(() => torch.zeros([1], { device: 'tpu' })).to.throw(
        TypeError,
        "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'tpu' of type string",
      );
    });
  });

  describe('tensors on the CPU', () => {
    it('are on cpu and stay there', () => {
      torch.tidy(() => {
        const t = torch.ones([2], { device: 'cpu' });
        expect(String(t.device)).to.equal('cpu');
        expect(t.device.type).to.equal('cpu');
        expect(t.isCuda).to.equal(false);
        expect(t.cpu()).to.equal(t);
        expect(torch.tensor([1], { device: torch.device('cpu') }).device.type).to.equal('cpu');
        expect(torch.randn([2], { device: 'cpu' }).device.type).to.equal('cpu');
      });
    });
  });

  describe('torch.cuda without CUDA', () => {
    before(function () {
      if (hasCuda) {
        console.log('    CUDA is available here: these checks are for machines without it (see test/gpu)');
        this.skip();
      }
    });

    it('reports no devices', () => {
      expect(torch.cuda.isAvailable()).to.equal(false);
      expect(torch.cuda.deviceCount()).to.equal(0);
    });

    it("to('cuda') throws a short TorchError naming CUDA", () => {
      torch.tidy(() => {
        const e = errorOf(() => torch.ones(2).to('cuda'));
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.message).to.equal('CUDA is not available: no CUDA device was found, or this libtorch was built without CUDA');
        expect(e.stack?.split('\n')[1]).to.contain('10-core-devices.test.ts');
      });
    });

    it("every way onto cuda fails with the same message as to('cuda')", () => {
      torch.tidy(() => {
        const want = errorOf(() => torch.ones(1).to('cuda')).message;
        const t = torch.ones(2);
        const ways: [string, () => unknown][] = [
          ['cuda()', () => t.cuda()],
          ["to('cuda:0')", () => t.to('cuda:0')],
          ['cuda(0)', () => t.cuda(0)],
          ["to({ device: 'cuda:0' })", () => t.to({ device: 'cuda:0' })],
          ["to(device('cuda', 0))", () => t.to(torch.device('cuda', 0))],
          ["zeros({ device: 'cuda' })", () => torch.zeros([2], { device: 'cuda' })],
          ["randn({ device: 'cuda' })", () => torch.randn([2], { device: 'cuda' })],
          ["tensor({ device: 'cuda' })", () => torch.tensor([1], { device: 'cuda' })],
          ["arange({ device: 'cuda' })", () => torch.arange(3, { device: 'cuda' })],
          ["full({ device: 'cuda:0' })", () => torch.full([1], 2, { device: 'cuda:0' })],
        ];
        for (const [name, f] of ways) {
          const e = errorOf(f);
          expect(e, name).to.be.instanceOf(torch.TorchError);
          expect(e.message, name).to.equal(want);
        }
      });
    });

    it('memory statistics and synchronize throw a clear Error', () => {
      for (const f of [
        () => torch.cuda.synchronize(),
        () => torch.cuda.memoryAllocated(),
        () => torch.cuda.memoryReserved(),
        () => torch.cuda.maxMemoryAllocated(),
      ]) {
        expect(f).to.throw(Error, 'CUDA is not available: no CUDA device was found, or this libtorch was built without CUDA');
      }
      expect(() => torch.cuda.emptyCache()).to.not.throw();
    });
  });
});
