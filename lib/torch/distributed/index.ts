/**
 * Distributed training (as `torch.distributed`), on libtorch's own c10d:
 * process groups (Gloo; NCCL where the addon has it), collectives and stores,
 * launched by torchrun (`torchrun --nproc_per_node N --no_python npx tsx train.ts`)
 * or anything that sets its environment (MASTER_ADDR, MASTER_PORT, RANK,
 * WORLD_SIZE, LOCAL_RANK). DistributedDataParallel is `nn.parallel`'s;
 * DistributedSampler is `utils.data`'s.
 */
export {
  ProcessGroup,
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  isGlooAvailable,
  isNcclAvailable,
  getRank,
  getWorldSize,
  getBackend,
  getGroupRank,
  getGlobalRank,
  newGroup,
  DEFAULT_TIMEOUT_MS,
  type Backend,
  type InitProcessGroupOptions,
  type NewGroupOptions,
} from './process-group.js';
export {
  Work,
  ReduceOp,
  allReduce,
  broadcast,
  reduce,
  allGather,
  reduceScatter,
  gather,
  scatter,
  barrier,
  send,
  recv,
  type CollectiveOptions,
  type P2POptions,
} from './collectives.js';
export { Store, TCPStore, FileStore, PrefixStore, DEFAULT_STORE_TIMEOUT_MS, type TCPStoreOptions } from './store.js';
export { localRank } from './env.js';
