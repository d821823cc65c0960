/**
 * Every error a user can cause in torch.distributed, DDP and the stores,
 * with its message. The initialized cases run a one-rank group inside the
 * test process (tcp:// on loopback).
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { freePort } from './80-distributed-helpers.js';

const dist = torch.distributed;
const { nn } = torch;

async function rejects(p: Promise<unknown>, type: new (...a: never[]) => Error, message: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(type);
    expect((e as Error).message).to.equal(message);
    return;
  }
  expect.fail(`expected a rejection with: ${message}`);
}

describe('distributed: errors', function () {
  this.timeout(60_000);

  describe('before initProcessGroup', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of ['RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'LOCAL_RANK']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });

    it('every query and collective says the default group is not initialized', () => {
      const msg = 'Default process group has not been initialized, please make sure to call initProcessGroup.';
      expect(dist.isInitialized()).to.equal(false);
      expect(() => dist.getRank()).to.throw(Error, msg);
      expect(() => dist.getWorldSize()).to.throw(Error, msg);
      expect(() => dist.allReduce(torch.ones([1]))).to.throw(Error, msg);
      expect(() => dist.barrier()).to.throw(Error, msg);
      expect(() => new nn.parallel.DistributedDataParallel(new nn.Linear(1, 1))).to.throw(Error, msg);
    });

    it("env:// names the missing variable (Python's message)", async () => {
      process.env.RANK = '0';
      process.env.WORLD_SIZE = '1';
      delete process.env.MASTER_ADDR;
      await rejects(
        dist.initProcessGroup(),
        Error,
        'Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_ADDR expected, but not set',
      );
      delete process.env.RANK;
      await rejects(
        dist.initProcessGroup(),
        Error,
        'Error initializing torch.distributed using env:// rendezvous: environment variable RANK expected, but not set',
      );
      process.env.RANK = 'zero';
      await rejects(dist.initProcessGroup(), RangeError, "Expected a non-negative integer for environment variable RANK but received 'zero' of type string");
    });

    it('init methods without what they need, and unknown schemes', async () => {
      await rejects(
        dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1234', worldSize: 1 }),
        Error,
        'Error initializing torch.distributed using tcp:// rendezvous: rank parameter missing',
      );
      await rejects(
        dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1234?rank=0' }),
        Error,
        'Error initializing torch.distributed using tcp:// rendezvous: world size parameter missing',
      );
      await rejects(
        dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1', rank: 0, worldSize: 1 }),
        Error,
        'Error initializing torch.distributed using tcp:// rendezvous: port number missing',
      );
      await rejects(
        dist.initProcessGroup({ initMethod: 'file:///tmp/x?rank=0' }),
        Error,
        'Error initializing torch.distributed using file:// rendezvous: world size parameter missing',
      );
      await rejects(dist.initProcessGroup({ initMethod: 'mpi://x' }), Error, 'No rendezvous handler for mpi://');
    });

    it('bad options', async () => {
      await rejects(dist.initProcessGroup({ backend: 'mpi' as never }), RangeError, "Expected 'gloo' or 'nccl' for backend but received 'mpi' of type string");
      await rejects(dist.initProcessGroup({ timeout: 0 }), RangeError, 'Expected a positive integer (milliseconds) for timeout but received 0 of type number');
      await rejects(
        dist.initProcessGroup({ worldsize: 2 } as never),
        TypeError,
        "Unknown option 'worldsize' for initProcessGroup; expected one of: backend, initMethod, store, worldSize, rank, timeout",
      );
      await rejects(dist.initProcessGroup({ rank: -1 }), RangeError, 'Expected a non-negative integer for rank but received -1 of type number');
      await rejects(
        dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1?rank=3&world_size=2' }),
        RangeError,
        'Expected a rank in [0, 1] for rank but received 3 of type number',
      );
      const store = new dist.FileStore(`/tmp/tn-dist-errors-${process.pid}`, 1);
      await rejects(dist.initProcessGroup({ store, initMethod: 'env://' }), Error, 'Cannot specify both initMethod and store.');
      await rejects(dist.initProcessGroup({ store, rank: 0 }), Error, 'worldSize must be positive if using store');
    });

    it('nccl needs an addon built with NCCL', async function () {
      if (dist.isNcclAvailable()) this.skip();
      const port = await freePort();
      await rejects(
        dist.initProcessGroup({ backend: 'nccl', initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 }),
        Error,
        "Distributed package doesn't have NCCL built in: this addon was built against a libtorch without NCCL (use backend 'gloo')",
      );
      await dist.destroyProcessGroup().catch(() => undefined);
    });

    it('TCPStore options and a server that never answers', async () => {
      await rejects(
        dist.TCPStore.create({ hostName: '127.0.0.1', port: 70000 }),
        RangeError,
        'Expected an integer port in [0, 65535] for port but received 70000 of type number',
      );
      await rejects(dist.TCPStore.create({ hostName: '', port: 1 }), TypeError, "Expected a host name for hostName but received '' of type string");
      const port = await freePort();
      try {
        await dist.TCPStore.create({ hostName: '127.0.0.1', port, timeout: 1500 });
        expect.fail('connected to nobody');
      } catch (e) {
        expect(e).to.be.instanceOf(torch.TorchError);
        expect((e as Error).message).to.match(/^The client socket has timed out after 1500ms while trying to connect to \(127\.0\.0\.1, \d+\)\./);
      }
    });
  });

  describe('with a one-rank group', () => {
    let group: torch.distributed.ProcessGroup;
    before(async () => {
      const port = await freePort();
      group = await dist.initProcessGroup({ backend: 'gloo', initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
    });
    after(async () => {
      if (dist.isInitialized()) await dist.destroyProcessGroup();
    });

    it('works: rank 0 of 1, collectives run, async wait resolves', async () => {
      expect([dist.getRank(), dist.getWorldSize(), dist.getBackend(), group.name]).to.deep.equal([0, 1, 'gloo', '0']);
      const t = torch.tensor([1, 2], { dtype: 'float32' });
      dist.allReduce(t, { op: 'avg' });
      expect(t.tolist()).to.deep.equal([1, 2]);
      await dist.allReduce(t, { asyncOp: true }).wait();
      expect(t.tolist()).to.deep.equal([1, 2]);
    });

    it('initializing twice', async () => {
      await rejects(dist.initProcessGroup(), Error, 'trying to initialize the default process group twice!');
    });

    it('collective arguments', () => {
      const t = torch.ones([2]);
      expect(() => dist.allReduce(3 as never)).to.throw(TypeError, 'Expected a Tensor for tensor but received 3 of type number');
      expect(() => dist.allReduce(t, { op: 'mean' as never })).to.throw(
        RangeError,
        "Expected one of 'sum', 'avg', 'product', 'min', 'max' for op but received 'mean' of type string",
      );
      expect(() => dist.allReduce(torch.ones([2], { dtype: 'int64' }), { op: 'avg' })).to.throw(
        TypeError,
        "Expected a floating-point tensor for tensor with op 'avg' (Gloo sums, then divides) but received a int64 tensor",
      );
      expect(() => dist.allReduce(t, { async: true } as never)).to.throw(
        TypeError,
        "Unknown option 'async' for allReduce; expected one of: group, asyncOp, op",
      );
      expect(() => dist.allReduce(t, { asyncOp: 1 } as never)).to.throw(TypeError, 'Expected a boolean for asyncOp but received 1 of type number');
      expect(() => dist.allGather([t, t], t)).to.throw(
        TypeError,
        'Expected an array of 1 Tensors (one per rank of the group) for tensorList but received an array of length 2',
      );
      expect(() => dist.reduceScatter(t, [])).to.throw(
        TypeError,
        'Expected an array of 1 Tensors (one per rank of the group) for inputList but received an array of length 0',
      );
      expect(() => dist.broadcast(t, 5)).to.throw(RangeError, 'Expected a global rank in the group (0) for src but received 5 of type number');
      expect(() => dist.broadcast(t, 0.5)).to.throw(TypeError, 'Expected an integer rank for src but received 0.5 of type number');
      expect(() => dist.reduce(t, 0, { op: 'avg' })).to.throw(
        RangeError,
        "Expected one of 'sum', 'product', 'min', 'max' (reduce has no 'avg') for op but received 'avg' of type string",
      );
      expect(() => dist.gather(t, { dst: 0 })).to.throw(
        TypeError,
        'Expected an array of 1 Tensors (one per rank of the group) for gatherList but received undefined',
      );
      expect(() => dist.scatter(t, { src: 0, scatterList: [t, t] })).to.throw(
        TypeError,
        'Expected an array of 1 Tensors (one per rank of the group) for scatterList but received an array of length 2',
      );
      expect(() => dist.send(t, 0)).to.throw(RangeError, 'Expected a rank other than this one for dst but received 0 of type number');
      expect(() => dist.recv(t, 0)).to.throw(RangeError, 'Expected a rank other than this one for src but received 0 of type number');
      expect(() => dist.send(t, 0, { tag: -1 })).to.throw(RangeError, 'Expected a non-negative integer for tag but received -1 of type number');
    });

    it('lists of tensors shaped or typed unlike the tensor', () => {
      const t = torch.ones([2]);
      const odd = torch.ones([3]);
      expect(() => dist.allGather([odd], t)).to.throw(TypeError, 'Expected a tensor shaped [2] for tensorList[0] but received a tensor shaped [3]');
      expect(() => dist.reduceScatter(t, [odd])).to.throw(TypeError, 'Expected a tensor shaped [2] for inputList[0] but received a tensor shaped [3]');
      expect(() => dist.gather(t, { gatherList: [odd] })).to.throw(
        TypeError,
        'Expected a tensor shaped [2] for gatherList[0] but received a tensor shaped [3]',
      );
      expect(() => dist.scatter(t, { scatterList: [odd] })).to.throw(
        TypeError,
        'Expected a tensor shaped [2] for scatterList[0] but received a tensor shaped [3]',
      );
      expect(() => dist.reduceScatter(t, [torch.ones([2], { dtype: 'int64' })])).to.throw(
        TypeError,
        'Expected a float32 tensor for inputList[0] but received a int64 tensor',
      );
    });

    it('newGroup ranks', async () => {
      await rejects(dist.newGroup({ ranks: [0, 0] }), RangeError, 'ranks list must not contain duplicate entries, got [0, 0]');
      await rejects(dist.newGroup({ ranks: [3] }), RangeError, 'Rank 3 is out of range. Valid ranks are 0 to 0');
      await rejects(dist.newGroup({ ranks: 'all' as never }), TypeError, "Expected an array of integers for ranks but received 'all' of type string");
    });

    it('DistributedDataParallel arguments', () => {
      const frozen = new nn.Linear(2, 2);
      frozen.requiresGrad_(false);
      expect(() => new nn.parallel.DistributedDataParallel(frozen)).to.throw(
        Error,
        "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.",
      );
      const lin = new nn.Linear(2, 2);
      expect(() => new nn.parallel.DistributedDataParallel(lin, { deviceIds: [0] })).to.throw(
        TypeError,
        'Expected deviceIds to be omitted for a module on the CPU but received [0] (DistributedDataParallel device_ids is for single-device CUDA modules)',
      );
      expect(() => new nn.parallel.DistributedDataParallel(lin, { bucketCapMb: 0 })).to.throw(
        RangeError,
        'Expected a positive number of MiB for bucketCapMb but received 0 of type number',
      );
      expect(() => new nn.parallel.DistributedDataParallel(lin, { findUnusedParams: true } as never)).to.throw(
        TypeError,
        "Unknown option 'findUnusedParams' for DistributedDataParallel",
      );
      expect(() => new nn.parallel.DistributedDataParallel({} as never)).to.throw(
        TypeError,
        'Expected a Module for module but received an object of type Object',
      );
      const ddp = new nn.parallel.DistributedDataParallel(lin);
      expect(() => ddp.noSync(async () => 1)).to.throw(TypeError, 'noSync takes a synchronous function');
      ddp.release();
      expect(() => ddp.call(torch.ones([1, 2]))).to.throw(Error, 'This DistributedDataParallel has been released');
    });

    it('store calls', () => {
      const store = new dist.FileStore(`/tmp/tn-dist-store-${process.pid}`, 1);
      store.set('k', 'v');
      expect(new TextDecoder().decode(store.get('k'))).to.equal('v');
      expect(store.add('n', 2)).to.equal(2);
      expect(store.check(['k', 'missing'])).to.equal(false);
      expect(() => store.set(1 as never, 'v')).to.throw(TypeError, 'Expected a string for key but received 1 of type number');
      expect(() => store.add('n', 0.5)).to.throw(TypeError, 'Expected an integer for amount but received 0.5 of type number');
      expect(() => store.wait(['missing'], 0)).to.throw(RangeError, 'Expected a positive integer (milliseconds) for timeoutMs but received 0 of type number');
      expect(() => store.wait(['missing'], 200)).to.throw(torch.TorchError, /[Tt]ime/);
    });

    it('a destroyed group is refused', async () => {
      const sub = await dist.newGroup();
      expect(sub).to.not.equal(null);
      await dist.destroyProcessGroup(sub as torch.distributed.ProcessGroup);
      expect(() => dist.barrier({ group: sub as torch.distributed.ProcessGroup })).to.throw(Error, 'Invalid process group specified: it has been destroyed');
      await dist.destroyProcessGroup();
      expect(dist.isInitialized()).to.equal(false);
    });
  });
});
