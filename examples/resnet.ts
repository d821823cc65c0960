/**
 * A small ResNet-style CNN trained on a shapes task built at run time.
 *
 *   npx tsx examples/resnet.ts                 # SGD (momentum 0.9), 3 epochs
 *   npx tsx examples/resnet.ts --optimizer adam --epochs 2 --lr 0.003
 *
 * The data: 16x16 grayscale images of four shapes (0 filled square,
 * 1 circle outline, 2 upward triangle, 3 plus sign) with random size and
 * position and uniform pixel noise, drawn from a seeded generator, so every run
 * (and the Python reference in test/21-nn-resnet.test.ts) sees the same
 * images. The model follows torchvision's ResNet layout and names (conv1, bn1,
 * layer1.0.conv1, layer2.0.downsample.0, fc), so its state dict loads into the
 * same model written in PyTorch.
 */
import { pathToFileURL } from 'node:url';
import * as torch from '../lib/torch/index.js';
const { nn } = torch;
type Tensor = torch.Tensor;

// ------------------------------------------------------------------ model
/** Two 3x3 convolutions with batch norm and a shortcut (torchvision's BasicBlock). */
export class BasicBlock extends nn.Module {
  conv1: torch.nn.Conv2d;
  bn1: torch.nn.BatchNorm2d;
  relu: torch.nn.ReLU;
  conv2: torch.nn.Conv2d;
  bn2: torch.nn.BatchNorm2d;
  downsample: torch.nn.Sequential | null;

  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU();
    this.conv2 = new nn.Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    // A 1x1 strided convolution matches the shortcut's shape when the block changes it.
    this.downsample =
      stride !== 1 || inPlanes !== planes ? new nn.Sequential(new nn.Conv2d(inPlanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes)) : null;
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample === null ? x : (this.downsample.forward(x) as Tensor);
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x))); // (N, planes, H/s, W/s)
    out = this.bn2.forward(this.conv2.forward(out));
    return this.relu.forward(out.add(identity));
  }
}

/** Sizes of the small ResNet. */
export interface ResNetConfig {
  /** Image channels (default 1). */
  inChannels?: number;
  /** Channels of the stem and layer1 (default 16); layer2 doubles them. */
  width?: number;
  /** Output classes (default 4). */
  numClasses?: number;
}

/** stem (conv-bn-relu-maxpool) -> layer1 (1 block) -> layer2 (1 block, stride 2) -> global average pool -> fc. */
export class ResNet extends nn.Module {
  conv1: torch.nn.Conv2d;
  bn1: torch.nn.BatchNorm2d;
  relu: torch.nn.ReLU;
  maxpool: torch.nn.MaxPool2d;
  layer1: torch.nn.Sequential;
  layer2: torch.nn.Sequential;
  avgpool: torch.nn.AdaptiveAvgPool2d;
  fc: torch.nn.Linear;

  constructor(c: ResNetConfig = {}) {
    super();
    const width = c.width ?? 16;
    this.conv1 = new nn.Conv2d(c.inChannels ?? 1, width, 3, { padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(width);
    this.relu = new nn.ReLU();
    this.maxpool = new nn.MaxPool2d(2);
    this.layer1 = new nn.Sequential(new BasicBlock(width, width));
    this.layer2 = new nn.Sequential(new BasicBlock(width, 2 * width, 2));
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.fc = new nn.Linear(2 * width, c.numClasses ?? 4);
  }

  /** (N, C, H, W) images to (N, numClasses) logits. */
  forward(x: Tensor): Tensor {
    let h = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))); // (N, w, H/2, W/2)
    h = this.layer1.forward(h) as Tensor; // (N, w, H/2, W/2)
    h = this.layer2.forward(h) as Tensor; // (N, 2w, H/4, W/4)
    h = this.avgpool.forward(h).flatten(1); // (N, 2w)
    return this.fc.forward(h);
  }
}

// ------------------------------------------------------------------ data
/** Names of the shape classes, by label. */
export const SHAPES = ['square', 'circle', 'triangle', 'plus'] as const;

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One batch: images as flat row-major (N * 1 * size * size) values, and labels. */
export interface ShapeBatch {
  images: number[];
  labels: number[];
  n: number;
  size: number;
}

/** Renders one shape of class `label` into a size x size image (values 0/1 plus noise, 3 decimals). */
function render(label: number, size: number, r: () => number): number[] {
  const s = 5 + Math.floor(r() * 6); // extent 5..10 pixels
  const half = s / 2;
  const cx = half + r() * (size - s);
  const cy = half + r() * (size - s);
  const img: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx,
        dy = y + 0.5 - cy;
      let on = false;
      if (label === 0) on = Math.abs(dx) <= half && Math.abs(dy) <= half;
      else if (label === 1) on = Math.abs(Math.hypot(dx, dy) - half) <= 0.9;
      else if (label === 2) on = dy >= -half && dy <= half && Math.abs(dx) <= (dy + half) / 2;
      else on = (Math.abs(dx) <= 1 && Math.abs(dy) <= half) || (Math.abs(dy) <= 1 && Math.abs(dx) <= half);
      const noise = (r() - 0.5) * 0.4;
      img.push(Math.round(((on ? 1 : 0) + noise) * 1000) / 1000);
    }
  }
  return img;
}

/** `count` batches of `batchSize` random shapes (labels uniform over the four classes). */
export function shapeBatches(seed: number, count: number, batchSize: number, size = 16): ShapeBatch[] {
  const r = rng(seed);
  const out: ShapeBatch[] = [];
  for (let b = 0; b < count; b++) {
    const images: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      const label = Math.floor(r() * SHAPES.length);
      labels.push(label);
      for (const v of render(label, size, r)) images.push(v);
    }
    out.push({ images, labels, n: batchSize, size });
  }
  return out;
}

/** A batch as tensors: (N, 1, size, size) float32 images and (N,) int64 labels. */
export function batchTensors(b: ShapeBatch): [Tensor, Tensor] {
  return [torch.tensor(b.images).reshape([b.n, 1, b.size, b.size]), torch.tensor(b.labels, { dtype: 'int64' })];
}

// ------------------------------------------------------------------ training
/** Training options: the optimizer and its learning rate. */
export interface TrainOptions {
  /** 'sgd' (momentum 0.9, weight decay 5e-4; the default) or 'adam'. */
  optimizer?: 'sgd' | 'adam';
  /** Default 0.02 for SGD, 0.003 for Adam. */
  lr?: number;
}

/** Builds the optimizer the options name over the model's parameters. */
export function makeOptimizer(model: torch.nn.Module, o: TrainOptions = {}): torch.optim.SGD | torch.optim.Adam {
  return (o.optimizer ?? 'sgd') === 'adam'
    ? new torch.optim.Adam(model.parameters(), { lr: o.lr ?? 0.003 })
    : new torch.optim.SGD(model.parameters(), { lr: o.lr ?? 0.02, momentum: 0.9, weightDecay: 5e-4 });
}

/** One optimizer step per batch (train mode, cross-entropy); returns the losses. */
export function train(model: ResNet, batches: ShapeBatch[], opt: torch.optim.SGD | torch.optim.Adam): number[] {
  model.train();
  return batches.map((b) =>
    torch.tidy(() => {
      const [x, y] = batchTensors(b);
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    }),
  );
}

/** Accuracy in eval mode (BatchNorm uses its running statistics). */
export function accuracy(model: ResNet, batches: ShapeBatch[]): number {
  model.eval();
  let right = 0,
    total = 0;
  torch.noGrad(() => {
    for (const b of batches) {
      torch.tidy(() => {
        const [x, y] = batchTensors(b);
        right += model.forward(x).argmax(1).eq(y).sum().item();
        total += b.n;
      });
    }
  });
  return right / total;
}

// ------------------------------------------------------------------ main
function main(argv: string[]): void {
  const arg = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
  };
  const optimizer = arg('optimizer', 'sgd');
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new RangeError(`Expected 'sgd' or 'adam' for --optimizer but received '${optimizer}'`);
  const epochs = Number(arg('epochs', '3'));
  const lr = arg('lr', '') === '' ? undefined : Number(arg('lr', ''));
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`Expected a positive integer for --epochs but received '${arg('epochs', '3')}'`);
  if (lr !== undefined && !(lr > 0)) throw new RangeError(`Expected a positive number for --lr but received '${arg('lr', '')}'`);
  torch.manualSeed(0);
  const model = new ResNet();
  const params = model.parameters().reduce((n, p) => n + p.numel(), 0);
  console.log(`${String(model)}\n${params} parameters`);
  const trainSet = shapeBatches(1, 40, 32); // 1280 images
  const testSet = shapeBatches(2, 10, 50); // 500 images
  const opt = makeOptimizer(model, { optimizer, lr });
  console.log(`before training: test accuracy ${(100 * accuracy(model, testSet)).toFixed(1)}% (4 classes: ${SHAPES.join(', ')})`);
  for (let e = 0; e < epochs; e++) {
    const t0 = Date.now();
    const losses = train(model, trainSet, opt);
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    console.log(
      `epoch ${e + 1}: mean loss ${mean.toFixed(4)}, test accuracy ${(100 * accuracy(model, testSet)).toFixed(1)}% (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
