/** Devices: 'cpu', 'cuda', 'cuda:N'. */
import { TorchError, typeError } from './errors.js';

/** Kinds of device this library runs on. */
export type DeviceType = 'cpu' | 'cuda';

/** A device, as `torch.device` in PyTorch. */
export class Device {
  readonly type: DeviceType;
  readonly index: number | null;

  /** @throws TypeError for a string that names no known device. */
  constructor(spec: string | Device, index?: number) {
    if (spec instanceof Device) {
      this.type = spec.type;
      this.index = spec.index;
      return;
    }
    const m = typeof spec === 'string' ? /^(cpu|cuda)(?::(\d+))?$/.exec(spec) : null;
    if (m === null) typeError("a device like 'cpu', 'cuda' or 'cuda:0'", 'device', spec);
    this.type = m[1] as DeviceType;
    this.index = m[2] !== undefined ? Number(m[2]) : (index ?? null);
    if (this.type === 'cpu' && this.index !== null && this.index !== 0) typeError("'cpu' without an index", 'device', spec);
    if (this.type === 'cpu') this.index = null;
  }

  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `device(type='${this.type}'${this.index === null ? '' : `, index=${this.index}`})`;
  }

  equals(other: DeviceLike): boolean {
    const o = device(other);
    return o.type === this.type && (o.index ?? 0) === (this.index ?? 0);
  }
}

/** Anything accepted where a device is expected. */
export type DeviceLike = Device | 'cpu' | 'cuda' | `cuda:${number}` | string;

/** Makes a Device (as `torch.device`). @throws TypeError for an unknown device string. */
export function device(spec: DeviceLike, index?: number): Device {
  return spec instanceof Device && index === undefined ? spec : new Device(spec, index);
}

/** The message every use of CUDA gets where it is not available. */
export const CUDA_UNAVAILABLE = 'CUDA is not available: no CUDA device was found, or this libtorch was built without CUDA';

let cudaCheck: (() => boolean) | undefined;
/** @internal set by cuda.ts: whether CUDA can be used. */
export function setCudaCheck(fn: () => boolean): void {
  cudaCheck = fn;
}

/**
 * The string libtorch understands.
 * @throws TypeError for something that is not a device; TorchError for a CUDA
 *   device where CUDA is not available.
 */
export function deviceString(d: DeviceLike, name = 'device'): string {
  if (!(d instanceof Device) && typeof d !== 'string') typeError('a device or device string', name, d);
  const dev = device(d);
  if (dev.type === 'cuda' && cudaCheck !== undefined && !cudaCheck()) {
    throw new TorchError(CUDA_UNAVAILABLE);
  }
  return dev.toString();
}
