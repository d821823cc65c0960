/**
 * What the checkpoint formats (`.pt` in pt.ts, `.safetensors` in
 * safetensors.ts) share: the value and error types and where loaded tensors
 * go. Both formats import this module; neither imports the other's pieces.
 */
import type { Tensor } from '../tensor.js';
import { Device, type DeviceLike } from '../device.js';
import * as cuda from '../cuda.js';
import { typeError } from '../errors.js';
import type { PyValue } from '../py-value.js';

/** A value in a checkpoint: Python-shaped data with tensors. */
export type CheckpointValue = PyValue<Tensor>;

/** A module state dict: dotted parameter/buffer names → tensors. */
export type StateDict = Record<string, Tensor>;

/**
 * Error for a checkpoint that is not loadable (wrong kind of file, missing or
 * inconsistent records, devices, or more than the file can justify building).
 */
export class CheckpointError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/**
 * Where loaded storages go: a device for all of them, a map from saved
 * location (`'cuda:1'`) to target, or a function of the saved location.
 */
export type MapLocation = DeviceLike | Readonly<Record<string, DeviceLike>> | ((location: string) => DeviceLike);

/**
 * The device (`'cpu'` or `'cuda:N'`) that data saved at `location` goes to
 * under `mapLocation` (default: where it was saved).
 * @param what names the data in errors; default "a storage saved on '<location>'".
 * @throws CheckpointError for an unknown saved location, or a CUDA device that
 *   is not available or not visible; TypeError when `mapLocation` gives
 *   something that is not a device.
 */
export function resolveDevice(location: string, mapLocation: MapLocation | undefined, what = `a storage saved on '${location}'`): string {
  let target: DeviceLike;
  if (mapLocation === undefined) target = location;
  else if (typeof mapLocation === 'function') target = mapLocation(location);
  else if (typeof mapLocation === 'string' || mapLocation instanceof Device) target = mapLocation;
  else target = Object.hasOwn(mapLocation, location) ? (mapLocation as Record<string, DeviceLike>)[location] : location;
  let dev: Device;
  try {
    dev = new Device(target);
  } catch {
    if (target === location) throw new CheckpointError(`Unsupported storage location '${location}' in the checkpoint (expected cpu or cuda:N)`);
    typeError("a device like 'cpu', 'cuda' or 'cuda:0'", 'mapLocation', target);
  }
  if (dev.type === 'cuda') {
    const n = cuda.deviceCount();
    const idx = dev.index ?? 0;
    if (n === 0) {
      throw new CheckpointError(`Attempting to load ${what} onto ${dev}, but CUDA is not available; pass mapLocation: 'cpu' to load it on the CPU`);
    }
    if (idx >= n) {
      throw new CheckpointError(`Attempting to load ${what} onto ${dev}, but only ${n} CUDA device(s) are visible; use mapLocation to choose another device`);
    }
    return `cuda:${idx}`;
  }
  return 'cpu';
}
