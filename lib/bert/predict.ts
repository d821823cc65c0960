/**
 * The course's predictions: predictNsp (does B follow A?) and predictMlm
 * (fill in [MASK]). Inputs are fed sequence-first [S, 1] with segment labels
 * 1 for A and 2 for B, as the model saw in training.
 */
import * as torch from '../torch/index.js';
import { rangeError } from '../torch/utils/index.js';
import { MAX_POSITIONS } from './constants.js';
import { PREDICT_SCHEMA } from './config/predict.js';
import type { BERT } from './model.js';
import type { BertTokenizer } from './tokenizer/index.js';

/** The input is longer than the model takes. */
export class InputTooLongError extends RangeError {
  override name = 'InputTooLongError';
}

/** @throws InputTooLongError when `ids` do not fit the model's positional table. */
function checkLength(ids: readonly number[], what: string): void {
  if (ids.length > MAX_POSITIONS) {
    throw new InputTooLongError(`${what} is ${ids.length} tokens long ([CLS] and [SEP] included), but the model takes at most ${MAX_POSITIONS}`);
  }
}

/** What predictNsp returns. */
export interface NspPrediction {
  /** True when the model predicts that B follows A. */
  isNext: boolean;
  /** Softmax probability that B follows A. */
  probability: number;
  /** The course's sentence. */
  label: 'Second sentence follows the first' | 'Second sentence does not follow the first';
}

/** One [MASK] position's candidates. */
export interface MaskCandidates {
  position: number;
  tokens: { token: string; id: number; probability: number }[];
}

/** What predictMlm returns. */
export interface MlmPrediction {
  /** The input with each [MASK] replaced by the top prediction. */
  sentence: string;
  /** The predicted token per [MASK], in order. */
  predicted: string[];
  /** The topK candidates per [MASK]. */
  candidates: MaskCandidates[];
}

function segmentsFor(typeIds: number[]): number[] {
  return typeIds.map((t) => t + 1);
}

function deviceOf(model: BERT): torch.Device {
  return model.parameters()[0].device;
}

/**
 * Softmax over the NSP logits of [CLS] A [SEP] B [SEP]; label 1 means "is next".
 * @throws InputTooLongError when the pair is longer than the model takes (5000 tokens).
 */
export function predictNsp(sentenceA: string, sentenceB: string, model: BERT, tokenizer: BertTokenizer): NspPrediction {
  const enc = tokenizer.encodePlus(sentenceA, sentenceB);
  checkLength(enc.inputIds, 'The sentence pair');
  const wasTraining = model.training;
  model.eval();
  try {
    return torch.tidy(() =>
      torch.noGrad(() => {
        const dev = deviceOf(model);
        const ids = torch.tensor(enc.inputIds, { dtype: 'int64', device: dev }).view(-1, 1); // [S, 1]
        const seg = torch.tensor(segmentsFor(enc.tokenTypeIds), { dtype: 'int64', device: dev }).view(-1, 1);
        const [nsp] = model.forward(ids, seg); // [1, 2]
        const probs = nsp.softmax(1);
        const prediction = probs.argmax(1).item();
        const p = probs.index(0, 1).item();
        return {
          isNext: prediction === 1,
          probability: p,
          label: prediction === 1 ? 'Second sentence follows the first' : 'Second sentence does not follow the first',
        } as NspPrediction;
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Predicts every [MASK] in `sentence` (topK candidates each, default 5).
 * @throws RangeError when topK is not a positive integer; InputTooLongError
 *   when the sentence is longer than the model takes (5000 tokens); Error
 *   when it has no [MASK].
 */
export function predictMlm(sentence: string, model: BERT, tokenizer: BertTokenizer, opts: { topK?: number } = {}): MlmPrediction {
  const topK = opts.topK ?? PREDICT_SCHEMA.topK.default;
  if (!(Number.isInteger(topK) && topK >= 1)) rangeError('a positive integer', 'topK', topK);
  const enc = tokenizer.encodePlus(sentence);
  checkLength(enc.inputIds, 'The sentence');
  const maskPositions = enc.inputIds.flatMap((id, i) => (id === tokenizer.maskTokenId ? [i] : []));
  if (maskPositions.length === 0) throw new Error(`predictMlm: the sentence has no ${tokenizer.maskToken} token: '${sentence}'`);
  const wasTraining = model.training;
  model.eval();
  try {
    const candidates = torch.tidy(() =>
      torch.noGrad(() => {
        const dev = deviceOf(model);
        const ids = torch.tensor(enc.inputIds, { dtype: 'int64', device: dev }).view(-1, 1);
        const seg = torch.tensor(segmentsFor(enc.tokenTypeIds), { dtype: 'int64', device: dev }).view(-1, 1);
        const [, mlm] = model.forward(ids, seg); // [S, 1, V]
        const logits = mlm.select(1, 0).indexSelect(0, torch.tensor(maskPositions, { device: dev })); // [M, V]
        const probs = logits.softmax(-1);
        const top = probs.topk(Math.min(topK, probs.size(-1)), -1);
        const vals = top.values.tolist() as number[][];
        const idx = top.indices.tolist() as number[][];
        return maskPositions.map((position, m) => ({
          position,
          tokens: idx[m].map((id, k) => ({ id, token: tokenizer.convertIdsToTokens(id), probability: vals[m][k] })),
        }));
      }),
    );
    const predicted = candidates.map((c) => c.tokens[0].token);
    let k = 0;
    const filled = enc.inputIds.map((id) => (id === tokenizer.maskTokenId ? candidates[k++].tokens[0].id : id));
    const sentenceOut = tokenizer.decode(filled, { skipSpecialTokens: true });
    return { sentence: sentenceOut, predicted, candidates };
  } finally {
    model.train(wasTraining);
  }
}
