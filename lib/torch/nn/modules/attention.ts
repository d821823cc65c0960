/** Multi-head attention with PyTorch's parameter names and math. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';
import { empty, zerosLike } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions, rangeError } from '../../errors.js';
import { noGrad } from '../../autograd.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Dropout on attention weights (default 0). */
  dropout?: number;
  /** Biases on the projections (default true). */
  bias?: boolean;
  /** Inputs as [B, L, E] instead of [L, B, E] (default false). */
  batchFirst?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of MultiheadAttention.forward. */
export interface AttentionCallOptions {
  /** [B, S] (or [S] for unbatched input) mask of keys: bool (true = ignore) or float (added). */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [B*heads, L, S] mask: bool (true = not allowed) or float (added). */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
  /** A hint that attnMask is the causal mask (default false); it then may be skipped for a fused kernel. */
  isCausal?: boolean;
}

/**
 * Attention over `numHeads` heads: packed `in_proj_weight` [3E, E] (xavier
 * uniform), `in_proj_bias` (zeros), `out_proj` Linear (bias zeroed).
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: Linear;

  /** @throws RangeError when embedDim is not divisible by numHeads; TypeError on unknown options. */
  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions(opts, ['dropout', 'bias', 'batchFirst', 'device', 'dtype'], 'MultiheadAttention');
    if (!Number.isInteger(embedDim) || embedDim <= 0) rangeError('a positive integer', 'embedDim', embedDim);
    if (!Number.isInteger(numHeads) || numHeads <= 0) rangeError('a positive integer', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new RangeError(`embed_dim must be divisible by num_heads (embedDim ${embedDim}, numHeads ${numHeads})`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = embedDim / numHeads;
    const f = { dtype: opts.dtype, device: opts.device };
    const bias = opts.bias ?? true;
    this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], f));
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], f)) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, ...f });
    this.resetParameters();
  }

  resetParameters(): void {
    init.xavierUniform_(this.in_proj_weight);
    if (this.in_proj_bias !== null) init.constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias !== null) init.constant_(this.out_proj.bias, 0);
  }

  /**
   * Returns [output, weights] (weights null unless needWeights). Inputs are
   * [L, B, E] (or [B, L, E] with batchFirst), or unbatched [L, E].
   * @throws RangeError for inputs of the wrong rank or embedding size, masks of the wrong shape
   *   or dtype, and isCausal without attnMask; TypeError for an unknown option.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    checkOptions(opts, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal'], 'MultiheadAttention.forward');
    const batched = mhaShapeCheck(query, key, value, opts.keyPaddingMask ?? null, opts.attnMask ?? null, this.numHeads);
    const ks = key.shape;
    const vs = value.shape;
    if (ks.length !== vs.length || ks.some((d, i) => d !== vs[i])) {
      throw new RangeError(`key shape torch.Size([${ks.join(', ')}]) does not match value shape torch.Size([${vs.join(', ')}])`);
    }
    let q = query,
      k = key,
      v = value;
    if (this.batchFirst && batched) {
      q = query.transpose(1, 0);
      k = key === query ? q : key.transpose(1, 0);
      v = value === key ? k : value.transpose(1, 0);
    }
    const [out, w] = multiHeadAttentionForward(q, k, v, this, opts);
    return [this.batchFirst && batched ? out.transpose(1, 0) : out, w];
  }

  override extraRepr(): string {
    return '';
  }
}

/**
 * PyTorch's `_mha_shape_check`: whether the input is batched (3-D) or not (2-D),
 * with masks of ranks that fit.
 * @throws RangeError with PyTorch's message otherwise.
 */
function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, mask: Tensor | null, heads: number): boolean {
  if (query.dim() === 3) {
    if (key.dim() !== 3 || value.dim() !== 3) {
      throw new RangeError(
        `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`,
      );
    }
    if (kpm !== null && kpm.dim() !== 2) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask !== null && mask.dim() !== 2 && mask.dim() !== 3) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
    }
    return true;
  }
  if (query.dim() === 2) {
    if (key.dim() !== 2 || value.dim() !== 2) {
      throw new RangeError(
        `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`,
      );
    }
    if (kpm !== null && kpm.dim() !== 1) {
      throw new RangeError(`For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask !== null) {
      if (mask.dim() !== 2 && mask.dim() !== 3) {
        throw new RangeError(`For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
      }
      const want = [heads, query.size(0), key.size(0)];
      if (mask.dim() === 3 && mask.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(`Expected \`attn_mask\` shape to be (${want.join(', ')}) but got torch.Size([${mask.shape.join(', ')}])`);
      }
    }
    return false;
  }
  throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
}

/**
 * A bool mask as an additive float mask (-inf where true); float masks pass as
 * they are (PyTorch's `_canonical_mask`).
 * @throws RangeError for a mask of another dtype.
 */
function canonicalMask(mask: Tensor | null, name: string, dtype: DType): Tensor | null {
  if (mask === null) return null;
  if (mask.dtype === 'bool') return noGrad(() => zerosLike(mask, { dtype }).maskedFill_(mask, -Infinity));
  if (!mask.isFloatingPoint()) throw new RangeError(`only bool and floating types of ${name} are supported`);
  return mask;
}

/** The attention math, as F.multi_head_attention_forward of PyTorch 2.x (packed projection). */
function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, m: MultiheadAttention, opts: AttentionCallOptions): [Tensor, Tensor | null] {
  const batched = query.dim() === 3;
  let kpmIn = opts.keyPaddingMask ?? null;
  if (!batched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (kpmIn !== null) kpmIn = kpmIn.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = query.shape;
  const srcLen = key.size(0);
  const heads = m.numHeads;
  const hd = m.headDim;
  const needWeights = opts.needWeights ?? true;
  let isCausal = opts.isCausal ?? false;
  let kpm = canonicalMask(kpmIn, 'key_padding_mask', query.dtype);
  if (isCausal && (opts.attnMask ?? null) === null) {
    throw new RangeError(
      'Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.',
    );
  }
  let mask: Tensor | null;
  if (isCausal && kpm === null && !needWeights) {
    mask = null; // the fused kernel applies the causal mask itself
  } else {
    mask = canonicalMask(opts.attnMask ?? null, 'attn_mask', query.dtype);
    if (kpm !== null) isCausal = false;
  }
  if (embedDim !== m.embedDim) throw new RangeError(`was expecting embedding dimension of ${m.embedDim}, but got ${embedDim}`);
  // Projections: q, k, v = linear(x, W_in, b_in), packed as PyTorch packs them.
  let q: Tensor, k: Tensor, v: Tensor;
  if (key === value && query === key) {
    [q, k, v] = F.linear(query, m.in_proj_weight, m.in_proj_bias).unflatten(-1, [3, embedDim]).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous().unbind(0);
  } else if (key === value) {
    const [wq, wkv] = m.in_proj_weight.split([embedDim, 2 * embedDim]);
    const [bq, bkv] = m.in_proj_bias === null ? [null, null] : m.in_proj_bias.split([embedDim, 2 * embedDim]);
    q = F.linear(query, wq, bq);
    [k, v] = F.linear(key, wkv, bkv).unflatten(-1, [2, embedDim]).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous().unbind(0);
  } else {
    const [wq, wk, wv] = m.in_proj_weight.chunk(3);
    const [bq, bk, bv] = m.in_proj_bias === null ? [null, null, null] : m.in_proj_bias.chunk(3);
    q = F.linear(query, wq, bq);
    k = F.linear(key, wk, bk);
    v = F.linear(value, wv, bv);
  }
  if (mask !== null) {
    if (mask.dim() === 2) {
      if (mask.size(0) !== tgtLen || mask.size(1) !== srcLen) {
        throw new RangeError(`The shape of the 2D attn_mask is torch.Size([${mask.shape.join(', ')}]), but should be (${tgtLen}, ${srcLen}).`);
      }
      mask = mask.unsqueeze(0);
    } else if (mask.dim() === 3) {
      const want = [bsz * heads, tgtLen, srcLen];
      if (mask.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(`The shape of the 3D attn_mask is torch.Size([${mask.shape.join(', ')}]), but should be (${want.join(', ')}).`);
      }
    } else {
      throw new RangeError(`attn_mask's dimension ${mask.dim()} is not supported`);
    }
  }
  // (L, B, E) -> (B*heads, L, hd)
  q = q.view(tgtLen, bsz * heads, hd).transpose(0, 1);
  k = k.view(k.size(0), bsz * heads, hd).transpose(0, 1);
  v = v.view(v.size(0), bsz * heads, hd).transpose(0, 1);
  if (kpm !== null) {
    if (kpm.size(0) !== bsz) throw new RangeError(`Expected key_padded_mask.shape[0] to be ${bsz}, but got ${kpm.size(0)}`);
    if (kpm.size(1) !== srcLen) throw new RangeError(`Expected key_padded_mask.shape[1] to be ${srcLen}, but got ${kpm.size(1)}`);
    kpm = kpm
      .view(bsz, 1, 1, srcLen)
      .expand(-1, heads, -1, -1)
      .reshape(bsz * heads, 1, srcLen);
    mask = mask === null ? kpm : mask.add(kpm);
  }
  const dropoutP = m.training ? m.dropout : 0;
  if (needWeights) {
    // softmax(q k^T / sqrt(hd) + mask) v, weights kept
    const qScaled = q.mul(Math.sqrt(1 / hd));
    const kt = k.transpose(-2, -1);
    let attn = mask !== null ? mask.baddbmm(qScaled, kt) : qScaled.bmm(kt);
    attn = attn.softmax(-1);
    if (dropoutP > 0) attn = F.dropout(attn, { p: dropoutP, training: true });
    let out = attn.bmm(v); // (B*heads, L, hd)
    out = out.transpose(0, 1).reshape(tgtLen * bsz, embedDim);
    out = F.linear(out, m.out_proj.weight, m.out_proj.bias).view(tgtLen, bsz, embedDim);
    let w = attn.view(bsz, heads, tgtLen, srcLen);
    if (opts.averageAttnWeights ?? true) w = w.mean(1);
    return batched ? [out, w] : [out.squeeze(1), w.squeeze(0)];
  }
  // The fused scaled-dot-product kernel: (B, heads, L, hd)
  if (mask !== null) mask = mask.size(0) === 1 && mask.dim() === 3 ? mask.unsqueeze(0) : mask.view(bsz, heads, -1, srcLen);
  const out4 = F.scaledDotProductAttention(q.view(bsz, heads, tgtLen, hd), k.view(bsz, heads, srcLen, hd), v.view(bsz, heads, srcLen, hd), {
    attnMask: mask,
    dropoutP,
    isCausal,
  });
  let out = out4.permute(2, 0, 1, 3).reshape(bsz * tgtLen, embedDim);
  out = F.linear(out, m.out_proj.weight, m.out_proj.bias).view(tgtLen, bsz, embedDim);
  return [batched ? out : out.squeeze(1), null];
}
