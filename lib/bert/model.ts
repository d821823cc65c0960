/**
 * The course's BERT, in the course's order and with its module names, so that
 * `stateDict()` keys equal the Python model's and checkpoints move both ways.
 *
 *   TokenEmbedding(x)      = embedding(x) * sqrt(dModel)
 *   PositionalEncoding(e)  = dropout(e + pe[:S])            pe: [5000, 1, dModel]
 *   BERTEmbedding(x, seg)  = dropout(tok + PositionalEncoding(tok) + segment(seg)),  tok = TokenEmbedding(x)
 *   BERT(x, seg)           = [nsp(enc[0]) [B, 2], mlm(enc) [S, B, V]],  enc = encoder(BERTEmbedding(x, seg))
 *
 * The token embedding counts twice in BERTEmbedding, as in the course.
 */
import * as torch from '../torch/index.js';
import { type Tensor, nn } from '../torch/index.js';

import { MAX_POSITIONS, PAD_IDX } from './constants.js';

export { MAX_POSITIONS, PAD_IDX };

/** Token embedding scaled by sqrt(embSize). */
export class TokenEmbedding extends nn.Module {
  embedding: nn.Embedding;
  readonly embSize: number;
  constructor(vocabSize: number, embSize: number) {
    super();
    this.embedding = new nn.Embedding(vocabSize, embSize);
    this.embSize = embSize;
  }
  /** tokens [S, B] (int) -> [S, B, E] */
  forward(tokens: Tensor): Tensor {
    const ids = tokens.dtype === 'int64' ? tokens : tokens.long();
    return this.embedding.forward(ids).mul(Math.sqrt(this.embSize));
  }
}

/** Adds the sinusoidal table `pos_embedding` [maxlen, 1, E] and applies dropout. */
export class PositionalEncoding extends nn.Module {
  dropout: nn.Dropout;
  declare pos_embedding: Tensor;
  constructor(embSize: number, dropout: number, maxlen = MAX_POSITIONS) {
    super();
    // den = exp(-arange(0, E, 2) * ln(10000) / E); pe[:, 0::2] = sin(pos * den); pe[:, 1::2] = cos(pos * den)
    const table = torch.tidy(() => {
      const den = torch.arange(0, embSize, 2).mul(-Math.log(10000)).div(embSize).exp();
      const pos = torch.arange(0, maxlen).reshape(maxlen, 1);
      const pe = torch.zeros([maxlen, embSize]);
      const angles = pos.mul(den); // [maxlen, ceil(E/2)]
      pe.indexPut_([':', '0::2'], angles.sin());
      pe.indexPut_([':', '1::2'], angles.narrow(1, 0, Math.floor(embSize / 2)).cos());
      return pe.unsqueeze(-2); // [maxlen, 1, E]
    });
    // the fast CPU mask (opt-in): the course path keeps its speed and its draws
    this.dropout = new nn.Dropout(dropout, { fastMask: true });
    this.registerBuffer('pos_embedding', table);
  }
  /** tokenEmbedding [S, B, E] -> [S, B, E] */
  forward(tokenEmbedding: Tensor): Tensor {
    const pe = this.pos_embedding.narrow(0, 0, tokenEmbedding.size(0));
    return this.dropout.forward(tokenEmbedding.add(pe));
  }
}

/** Token + positional + segment embeddings (segment ids 0 = pad, 1 = A, 2 = B). */
export class BERTEmbedding extends nn.Module {
  token_embedding: TokenEmbedding;
  positional_encoding: PositionalEncoding;
  segment_embedding: nn.Embedding;
  dropout: nn.Dropout;
  constructor(vocabSize: number, embSize: number, dropout = 0.1) {
    super();
    this.token_embedding = new TokenEmbedding(vocabSize, embSize);
    this.positional_encoding = new PositionalEncoding(embSize, dropout);
    this.segment_embedding = new nn.Embedding(3, embSize);
    this.dropout = new nn.Dropout(dropout, { fastMask: true });
  }
  /** bertInputs, segmentLabels [S, B] -> [S, B, E] */
  forward(bertInputs: Tensor, segmentLabels: Tensor): Tensor {
    const tok = this.token_embedding.forward(bertInputs);
    const withPos = this.positional_encoding.forward(tok);
    const seg = this.segment_embedding.forward(segmentLabels);
    return this.dropout.forward(tok.add(withPos).add(seg));
  }
}

/** Model sizes: the course's, and BERT's published small sizes. */
export interface BERTConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  heads: number;
  dropout: number;
  /** Encoder feed-forward width (the course keeps PyTorch's 2048). */
  dimFeedforward: number;
  /**
   * Standard deviation of BERT's initialization (normal weights and
   * embeddings, zero biases), or null for PyTorch's layer defaults as in the
   * course. Default null.
   */
  initStd?: number | null;
}

/**
 * Named presets (layers/hidden/heads); the course's is the default and keeps
 * PyTorch's layer initialization. The BERT sizes use BERT's initialization
 * (normal, std 0.02): with PyTorch's N(0, 1) embeddings scaled by
 * sqrt(dModel) and counted twice, the token embeddings drown the positional
 * signal at these widths (a tiny-preset model cannot even learn to copy the
 * token at a fixed position in 400 steps; with BERT's init it does in 100).
 */
export const PRESETS = {
  course: { dModel: 10, nLayers: 2, heads: 2, dropout: 0.1, dimFeedforward: 2048, initStd: null },
  tiny: { dModel: 128, nLayers: 2, heads: 2, dropout: 0.1, dimFeedforward: 512, initStd: 0.02 },
  mini: { dModel: 256, nLayers: 4, heads: 4, dropout: 0.1, dimFeedforward: 1024, initStd: 0.02 },
  small: { dModel: 512, nLayers: 4, heads: 8, dropout: 0.1, dimFeedforward: 2048, initStd: 0.02 },
  base: { dModel: 768, nLayers: 12, heads: 12, dropout: 0.1, dimFeedforward: 3072, initStd: 0.02 },
} as const satisfies Record<string, Omit<BERTConfig, 'vocabSize'>>;

export type PresetName = keyof typeof PRESETS;

/** A full config from a preset name and a vocabulary size. @throws TypeError for an unknown preset. */
export function presetConfig(name: string, vocabSize: number): BERTConfig {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new TypeError(`Unknown preset '${name}'; expected one of: ${Object.keys(PRESETS).join(', ')}`);
  }
  return { vocabSize, ...PRESETS[name as PresetName] };
}

/** The course's BERT: embeddings, a TransformerEncoder, an NSP head on position 0 and an MLM head. */
export class BERT extends nn.Module {
  readonly config: BERTConfig;
  bert_embedding: BERTEmbedding;
  encoder_layer: nn.TransformerEncoderLayer;
  transformer_encoder: nn.TransformerEncoder;
  nextsentenceprediction: nn.Linear;
  masked_language: nn.Linear;

  /** As the course: BERT(vocabSize, dModel = 768, nLayers = 12, heads = 12, dropout = 0.1). */
  constructor(vocabSize: number, dModel?: number, nLayers?: number, heads?: number, dropout?: number);
  constructor(config: BERTConfig);
  constructor(a: number | BERTConfig, dModel = 768, nLayers = 12, heads = 12, dropout = 0.1) {
    super();
    const config: BERTConfig = typeof a === 'object' ? { ...a } : { vocabSize: a, dModel, nLayers, heads, dropout, dimFeedforward: 2048 };
    if (!Number.isInteger(config.vocabSize) || config.vocabSize < 5) {
      throw new RangeError(`Expected an integer >= 5 for vocabSize but received ${String(config.vocabSize)}`);
    }
    if (config.dModel % config.heads !== 0) {
      throw new RangeError(`dModel (${config.dModel}) must be divisible by heads (${config.heads})`);
    }
    this.config = config;
    this.bert_embedding = new BERTEmbedding(config.vocabSize, config.dModel, config.dropout);
    this.encoder_layer = new nn.TransformerEncoderLayer(config.dModel, config.heads, {
      dropout: config.dropout,
      dimFeedforward: config.dimFeedforward,
      batchFirst: false,
      fastDropout: true, // this library's fast dropout masks (opt-in), as the course path always had
    });
    this.transformer_encoder = new nn.TransformerEncoder(this.encoder_layer, config.nLayers);
    this.nextsentenceprediction = new nn.Linear(config.dModel, 2);
    this.masked_language = new nn.Linear(config.dModel, config.vocabSize);
    if (config.initStd != null) this.initBertWeights(config.initStd);
  }

  /** BERT's initialization: weights and embeddings N(0, std), biases 0, LayerNorm 1/0. */
  initBertWeights(std: number): void {
    for (const [name, p] of this.namedParameters()) {
      if (/(^|\.)norm\d*\./.test(name)) continue;
      if (name.endsWith('bias')) nn.init.zeros_(p);
      else nn.init.normal_(p, 0, std);
    }
  }

  /** The encoder output [S, B, E] for inputs and segment labels [S, B]. */
  encode(bertInputs: Tensor, segmentLabels: Tensor): Tensor {
    const paddingMask = bertInputs.eq(PAD_IDX).transpose(0, 1); // [B, S], true at [PAD]
    const emb = this.bert_embedding.forward(bertInputs, segmentLabels);
    return this.transformer_encoder.forward(emb, { srcKeyPaddingMask: paddingMask });
  }

  /** bertInputs, segmentLabels [S, B] -> [nspLogits [B, 2], mlmLogits [S, B, V]] */
  forward(bertInputs: Tensor, segmentLabels: Tensor): [Tensor, Tensor] {
    const out = this.encode(bertInputs, segmentLabels);
    const nsp = this.nextsentenceprediction.forward(out.select(0, 0));
    const mlm = this.masked_language.forward(out);
    return [nsp, mlm];
  }

  /**
   * NSP logits and MLM logits only where `bertLabels` != [PAD]:
   * [nspLogits [B, 2], mlmLogits [N, V], targets [N]]. Same loss as the
   * full forward, with the vocabulary projection on N positions instead of S*B.
   */
  forwardMasked(bertInputs: Tensor, segmentLabels: Tensor, bertLabels: Tensor): [Tensor, Tensor, Tensor] {
    const out = this.encode(bertInputs, segmentLabels);
    const nsp = this.nextsentenceprediction.forward(out.select(0, 0));
    const mask = bertLabels.ne(PAD_IDX); // [S, B]
    const picked = out.index(mask); // [N, E]
    const mlm = this.masked_language.forward(picked);
    return [nsp, mlm, bertLabels.index(mask)];
  }
}
