/** Checkpoints: torch.save-compatible `.pt` files and safetensors. Re-exports only. */
export { save, load, saveToBuffer, loadFromBuffer, chunking, type SaveOptions, type LoadOptions } from './pt.js';
export { CheckpointError, type CheckpointValue, type StateDict, type MapLocation } from './checkpoint.js';
export { writeFileAtomic, removeStaleTemporaries, type AtomicContent } from './atomic.js';
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
  type SafetensorsHeader,
  type SafetensorsLoadOptions,
  type SafetensorsSaveOptions,
} from './safetensors.js';
export {
  PyFloat,
  PyTuple,
  PyGlobal,
  PyReduce,
  pyFloat,
  tuple,
  orderedDict,
  markOrderedDict,
  isOrderedDict,
  pyState,
  stateDictMetadata,
  markPyFloats,
  pyFloatKeys,
  PY_INFO,
  type PyValue,
  type PyDict,
  type PyInfo,
} from '../py-value.js';
export {
  dumps,
  loads,
  PickleFormatError,
  PickleSecurityError,
  PickleValueError,
  PickleLimitError,
  pickleBudget,
  PICKLE_BUDGET_FLOOR,
  PICKLE_BUDGET_RATIO,
  type StorageRef,
  type TensorRecord,
  type TensorFactory,
  type StorageDType,
  type UnpickleOptions,
  type PicklerHooks,
  type PickleOptions,
} from './pickle.js';
export {
  ZipReader,
  ZipWriter,
  ZipFormatError,
  BufferSink,
  FdSink,
  BufferSource,
  FdSource,
  type ZipEntry,
  type ByteSink,
  type ByteSource,
  type WrittenRecord,
  type ZipWriterOptions,
} from './zip.js';
