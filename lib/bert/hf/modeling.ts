/**
 * The layers of Hugging Face's BERT (transformers' `modeling_bert.py`), with
 * its module names so that state-dict keys equal transformers' keys:
 *
 *   BertEmbeddings   word + token_type + position embeddings -> LayerNorm -> dropout
 *   BertLayer        attention.self (query/key/value, SDPA) -> attention.output (dense, dropout, LayerNorm(+x))
 *                    -> intermediate (dense, act) -> output (dense, dropout, LayerNorm(+x))
 *   BertEncoder      layer.0 ... layer.{L-1}
 *   BertPooler       tanh(dense(h[:, 0]))
 *
 * Tensors are batch-first: ids [B, S], hidden states [B, S, H].
 */
import { checkOptions, describe } from '../../torch/utils/index.js';
import * as torch from '../../torch/index.js';
import { nn, type Tensor } from '../../torch/index.js';
import type { BertConfig } from './config.js';
import { activation } from './activations.js';

const F = nn.functional;

/** Inputs besides the ids, as transformers' keyword arguments (all optional). */
export interface BertInputs {
  /** [B, S]: 1 (or true) where a token may be attended to, 0 at padding. Default: all ones. */
  attentionMask?: Tensor | null;
  /** [B, S]: segment ids in [0, typeVocabSize). Default: zeros. */
  tokenTypeIds?: Tensor | null;
  /** [B, S] or [1, S]: positions in [0, maxPositionEmbeddings). Default: 0 .. S-1. */
  positionIds?: Tensor | null;
}

const INPUT_KEYS = ['attentionMask', 'tokenTypeIds', 'positionIds'];

function isIntegral(t: Tensor): boolean {
  return t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'int16' || t.dtype === 'int8' || t.dtype === 'uint8';
}

/**
 * Checks the ids and the optional inputs of a forward call.
 * @throws TypeError for a non-tensor or non-integer ids/segments, or an unknown option;
 *   RangeError for ids that are not [B, S], a sequence longer than maxPositionEmbeddings,
 *   or an attention mask / token type ids of another shape.
 */
export function checkInputs(config: BertConfig, inputIds: Tensor, inputs: BertInputs, where: string, extra: readonly string[] = []): void {
  checkOptions(inputs, [...INPUT_KEYS, ...extra], where);
  if (!torch.isTensor(inputIds) || !isIntegral(inputIds)) {
    throw new TypeError(`Expected an integer Tensor for inputIds but received ${torch.isTensor(inputIds) ? `a ${inputIds.dtype} Tensor` : describe(inputIds)}`);
  }
  if (inputIds.dim() !== 2) throw new RangeError(`Expected a [batch, sequence] Tensor for inputIds but received shape [${inputIds.shape.join(', ')}]`);
  const [, s] = inputIds.shape;
  if (s > config.maxPositionEmbeddings) {
    throw new RangeError(`Expected a sequence of at most ${config.maxPositionEmbeddings} tokens (maxPositionEmbeddings) for inputIds but received ${s}`);
  }
  const same = (name: 'attentionMask' | 'tokenTypeIds') => {
    const t = inputs[name];
    if (t === undefined || t === null) return;
    if (!torch.isTensor(t)) throw new TypeError(`Expected a Tensor for ${name} but received ${describe(t)}`);
    if (t.shape.length !== 2 || t.shape[0] !== inputIds.shape[0] || t.shape[1] !== s) {
      throw new RangeError(`Expected shape [${inputIds.shape.join(', ')}] (that of inputIds) for ${name} but received [${t.shape.join(', ')}]`);
    }
  };
  same('attentionMask');
  same('tokenTypeIds');
  const tt = inputs.tokenTypeIds;
  if (tt !== undefined && tt !== null && !isIntegral(tt)) throw new TypeError(`Expected an integer Tensor for tokenTypeIds but received a ${tt.dtype} Tensor`);
  const pos = inputs.positionIds;
  if (pos !== undefined && pos !== null && !torch.isTensor(pos)) throw new TypeError(`Expected a Tensor for positionIds but received ${describe(pos)}`);
}

/** Word, position and token-type embeddings, summed, normalized and dropped out. */
export class BertEmbeddings extends nn.Module {
  word_embeddings: nn.Embedding;
  position_embeddings: nn.Embedding;
  token_type_embeddings: nn.Embedding;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;

  constructor(config: BertConfig) {
    super();
    this.word_embeddings = new nn.Embedding(config.vocabSize, config.hiddenSize, { paddingIdx: config.padTokenId });
    this.position_embeddings = new nn.Embedding(config.maxPositionEmbeddings, config.hiddenSize);
    this.token_type_embeddings = new nn.Embedding(config.typeVocabSize, config.hiddenSize);
    this.LayerNorm = new nn.LayerNorm([config.hiddenSize], { eps: config.layerNormEps });
    this.dropout = new nn.Dropout(config.hiddenDropoutProb);
  }

  /** inputIds [B, S] -> [B, S, H] */
  forward(inputIds: Tensor, tokenTypeIds: Tensor | null = null, positionIds: Tensor | null = null): Tensor {
    const [b, s] = inputIds.shape;
    const device = inputIds.device;
    const pos = positionIds ?? torch.arange(s, { device }).unsqueeze(0); // [1, S]
    const types = tokenTypeIds ?? torch.zeros([b, s], { dtype: 'int64', device });
    let emb = this.word_embeddings.forward(inputIds).add(this.token_type_embeddings.forward(types));
    emb = emb.add(this.position_embeddings.forward(pos));
    return this.dropout.forward(this.LayerNorm.forward(emb));
  }
}

/**
 * The attention mask as SDPA takes it: bool [B, 1, 1, S], true where keys may
 * be attended to; null when nothing is masked (as transformers, which then
 * lets SDPA run without a mask).
 */
export function sdpaMask(attentionMask: Tensor | null | undefined): Tensor | null {
  if (attentionMask === undefined || attentionMask === null) return null;
  const keep = attentionMask.dtype === 'bool' ? attentionMask : attentionMask.ne(0);
  if (keep.all().item()) return null;
  const [b, s] = keep.shape;
  return keep.view(b, 1, 1, s);
}

/** Multi-head self-attention: query, key, value projections and scaled dot-product attention. */
export class BertSelfAttention extends nn.Module {
  readonly numAttentionHeads: number;
  readonly attentionHeadSize: number;
  readonly scaling: number;
  query: nn.Linear;
  key: nn.Linear;
  value: nn.Linear;
  dropout: nn.Dropout;

  constructor(config: BertConfig) {
    super();
    this.numAttentionHeads = config.numAttentionHeads;
    this.attentionHeadSize = config.hiddenSize / config.numAttentionHeads;
    this.scaling = this.attentionHeadSize ** -0.5;
    this.query = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.key = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.value = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.dropout = new nn.Dropout(config.attentionProbsDropoutProb);
  }

  /** hidden [B, S, H], mask bool [B, 1, 1, S] or null -> [B, S, H] */
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    const [b, s, h] = hidden.shape;
    const heads = (t: Tensor) => t.view(b, s, this.numAttentionHeads, this.attentionHeadSize).transpose(1, 2); // (B, nh, S, hs)
    const q = heads(this.query.forward(hidden));
    const k = heads(this.key.forward(hidden));
    const v = heads(this.value.forward(hidden));
    const ctx = F.scaledDotProductAttention(q, k, v, {
      attnMask: mask,
      dropoutP: this.training ? this.dropout.p : 0,
      scale: this.scaling,
    }); // (B, nh, S, hs)
    return ctx.transpose(1, 2).reshape(b, s, h);
  }
}

/** dense -> dropout -> LayerNorm(x + input), after attention. */
export class BertSelfOutput extends nn.Module {
  dense: nn.Linear;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  constructor(config: BertConfig) {
    super();
    this.dense = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.LayerNorm = new nn.LayerNorm([config.hiddenSize], { eps: config.layerNormEps });
    this.dropout = new nn.Dropout(config.hiddenDropoutProb);
  }
  forward(hidden: Tensor, input: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(hidden)).add(input));
  }
}

/** Self-attention and its output block (`attention.self`, `attention.output`). */
export class BertAttention extends nn.Module {
  self: BertSelfAttention;
  output: BertSelfOutput;
  constructor(config: BertConfig) {
    super();
    this.self = new BertSelfAttention(config);
    this.output = new BertSelfOutput(config);
  }
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    return this.output.forward(this.self.forward(hidden, mask), hidden);
  }
}

/** dense to the intermediate size, then the activation. */
export class BertIntermediate extends nn.Module {
  dense: nn.Linear;
  readonly intermediate_act_fn: (x: Tensor) => Tensor;
  constructor(config: BertConfig) {
    super();
    this.dense = new nn.Linear(config.hiddenSize, config.intermediateSize);
    this.intermediate_act_fn = activation(config.hiddenAct);
  }
  forward(hidden: Tensor): Tensor {
    return this.intermediate_act_fn(this.dense.forward(hidden));
  }
}

/** dense back to the hidden size -> dropout -> LayerNorm(x + input). */
export class BertOutput extends nn.Module {
  dense: nn.Linear;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  constructor(config: BertConfig) {
    super();
    this.dense = new nn.Linear(config.intermediateSize, config.hiddenSize);
    this.LayerNorm = new nn.LayerNorm([config.hiddenSize], { eps: config.layerNormEps });
    this.dropout = new nn.Dropout(config.hiddenDropoutProb);
  }
  forward(hidden: Tensor, input: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(hidden)).add(input));
  }
}

/** One transformer block (post-LayerNorm). */
export class BertLayer extends nn.Module {
  attention: BertAttention;
  intermediate: BertIntermediate;
  output: BertOutput;
  constructor(config: BertConfig) {
    super();
    this.attention = new BertAttention(config);
    this.intermediate = new BertIntermediate(config);
    this.output = new BertOutput(config);
  }
  /** hidden [B, S, H] -> [B, S, H] */
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    const attended = this.attention.forward(hidden, mask);
    return this.output.forward(this.intermediate.forward(attended), attended);
  }
}

/** The stack of layers (`encoder.layer.N`). */
export class BertEncoder extends nn.Module {
  layer: nn.ModuleList;
  constructor(config: BertConfig) {
    super();
    this.layer = new nn.ModuleList(Array.from({ length: config.numHiddenLayers }, () => new BertLayer(config)));
  }
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    let h = hidden;
    for (const layer of this.layer) h = (layer as BertLayer).forward(h, mask);
    return h;
  }
}

/** tanh(dense(hidden[:, 0])): the [CLS] summary used by NSP and sequence classification. */
export class BertPooler extends nn.Module {
  dense: nn.Linear;
  activation: nn.Tanh;
  constructor(config: BertConfig) {
    super();
    this.dense = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.activation = new nn.Tanh();
  }
  /** hidden [B, S, H] -> [B, H] */
  forward(hidden: Tensor): Tensor {
    return this.activation.forward(this.dense.forward(hidden.select(1, 0)));
  }
}
