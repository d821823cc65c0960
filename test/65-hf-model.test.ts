/**
 * lib/bert/hf against transformers: small random models of every class built
 * and saved by transformers load here with no missing or unexpected keys, the
 * same state-dict keys in the same order and the same outputs and losses (eval
 * mode); folders we save load back in transformers with the same logits;
 * loading across classes reports what transformers reports; every loading,
 * config and input error says what is wrong.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import {
  BertModel,
  BertForPreTraining,
  BertForMaskedLM,
  BertForSequenceClassification,
  BertForTokenClassification,
  type BertPreTrainedModel,
  bertConfig,
  type FromPretrainedOptions,
} from '../lib/bert/hf/index.js';
import { hfReference, requireTransformers, tempDir, prng, randInt, randomBatch, maxAbsDiff, SMALL_CONFIG, type ListBatch } from './helpers/hf.js';

type Outputs = Record<string, number[] | number | string[]> & { keys: string[]; loss?: number };

type Load = (dir: string, opts?: FromPretrainedOptions) => BertPreTrainedModel;
const CLASSES: Record<string, { fromPretrained: Load }> = {
  BertModel: { fromPretrained: (d, o) => BertModel.fromPretrained(d, o) },
  BertForPreTraining: { fromPretrained: (d, o) => BertForPreTraining.fromPretrained(d, o) },
  BertForMaskedLM: { fromPretrained: (d, o) => BertForMaskedLM.fromPretrained(d, o) },
  BertForSequenceClassification: { fromPretrained: (d, o) => BertForSequenceClassification.fromPretrained(d, o) },
  BertForTokenClassification: { fromPretrained: (d, o) => BertForTokenClassification.fromPretrained(d, o) },
};
const ACTS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'quick_gelu', 'relu', 'silu', 'swish', 'tanh'];

const long = (x: number[][] | number[]) => torch.tensor(x, { dtype: 'int64' });

/** Our outputs under transformers' names, flattened. */
function ourOutputs(
  model: BertPreTrainedModel,
  batch: ListBatch,
  labels: Record<string, number[][] | number[]>,
  floatLabels: number[][] | number[] | null = null,
): Record<string, number[] | number> {
  return torch.noGrad(() =>
    torch.tidy(() => {
      const ids = long(batch.input_ids);
      const common = { attentionMask: long(batch.attention_mask), tokenTypeIds: long(batch.token_type_ids) };
      const name = model.constructor.name;
      const lab = labels[name];
      const res: Record<string, number[] | number> = {};
      if (model instanceof BertModel) {
        const out = model.forward(ids, common);
        res.last_hidden_state = out.lastHiddenState.dataSync();
        if (out.poolerOutput !== null) res.pooler_output = out.poolerOutput.dataSync();
      } else if (model instanceof BertForPreTraining) {
        const out = model.forward(ids, { ...common, labels: long(lab as number[][]), nextSentenceLabel: long(batch.next_sentence_label) });
        res.prediction_logits = out.predictionLogits.dataSync();
        res.seq_relationship_logits = out.seqRelationshipLogits.dataSync();
        res.loss = (out.loss as Tensor).item();
      } else {
        const m = model as BertForMaskedLM | BertForSequenceClassification | BertForTokenClassification;
        const out = m.forward(ids, { ...common, labels: floatLabels !== null ? torch.tensor(floatLabels) : long(lab) });
        res.logits = out.logits.dataSync();
        res.loss = (out.loss as Tensor).item();
      }
      return res;
    }),
  );
}

describe('65 Hugging Face BERT models (transformers parity)', function () {
  this.timeout(180_000);
  const tmp = tempDir('hf-model-');
  const D = (name: string) => join(tmp.dir, name);
  const rand = prng(65);
  const batch = randomBatch(rand, 3, 12, SMALL_CONFIG.vocab_size);
  const labels: Record<string, number[][] | number[]> = {
    BertForPreTraining: batch.labels,
    BertForMaskedLM: batch.labels,
    BertForSequenceClassification: [0, 2, 1],
    BertForTokenClassification: batch.attention_mask.map((row) => row.map((m) => (m === 1 ? randInt(rand, 0, 5) : -100))),
  };
  const specs = [
    { name: 'pretraining', cls: 'BertForPreTraining', config: SMALL_CONFIG, dir: D('pretraining'), bin_dir: D('pretraining-bin'), seed: 1 },
    { name: 'base', cls: 'BertModel', config: SMALL_CONFIG, dir: D('base'), seed: 2 },
    { name: 'mlm', cls: 'BertForMaskedLM', config: SMALL_CONFIG, dir: D('mlm'), seed: 3 },
    { name: 'seq', cls: 'BertForSequenceClassification', config: { ...SMALL_CONFIG, num_labels: 3 }, dir: D('seq'), seed: 4 },
    { name: 'tok', cls: 'BertForTokenClassification', config: { ...SMALL_CONFIG, num_labels: 5 }, dir: D('tok'), seed: 5 },
    { name: 'untied', cls: 'BertForPreTraining', config: { ...SMALL_CONFIG, tie_word_embeddings: false }, dir: D('untied'), seed: 6 },
    {
      name: 'variant',
      cls: 'BertForMaskedLM',
      dir: D('variant'),
      seed: 7,
      config: { ...SMALL_CONFIG, layer_norm_eps: 1e-7, pad_token_id: 3, type_vocab_size: 3, max_position_embeddings: 16, intermediate_size: 64 },
    },
    { name: 'sharded', cls: 'BertForPreTraining', config: SMALL_CONFIG, dir: D('sharded'), seed: 8, max_shard_size: '30KB' },
    { name: 'regression', cls: 'BertForSequenceClassification', config: { ...SMALL_CONFIG, num_labels: 1 }, dir: D('regression'), seed: 9 },
    {
      name: 'multilabel',
      cls: 'BertForSequenceClassification',
      dir: D('multilabel'),
      seed: 10,
      config: { ...SMALL_CONFIG, num_labels: 3, problem_type: 'multi_label_classification' },
    },
    ...ACTS.map((act, i) => ({ name: `act-${act}`, cls: 'BertModel', config: { ...SMALL_CONFIG, hidden_act: act }, dir: D(`act-${act}`), seed: 20 + i })),
  ];
  const floatLabels: Record<string, number[][] | number[]> = {
    regression: [0.5, -1.25, 2],
    multilabel: [
      [1, 0, 1],
      [0, 0, 1],
      [1, 1, 0],
    ],
  };
  let py: Record<string, Outputs>;
  let worst = 0;

  before(function () {
    requireTransformers(this);
    py = hfReference<Record<string, Outputs>>({ op: 'build', models: specs, inputs: { ...batch, labels, float_labels: floatLabels } });
  });
  after(() => {
    if (py !== undefined) console.log(`    max |difference| of any output or loss against transformers: ${worst.toExponential(2)}`);
    tmp.remove();
  });

  const compare = (ours: Record<string, number[] | number>, theirs: Outputs, what: string) => {
    const names = Object.keys(theirs).filter((k) => k !== 'keys');
    expect(Object.keys(ours).sort(), `${what}: outputs`).to.deep.equal(names.sort());
    for (const k of names) {
      const a = ours[k];
      const b = theirs[k];
      const d = typeof a === 'number' ? Math.abs(a - (b as number)) : maxAbsDiff(a, b as number[]);
      worst = Math.max(worst, d);
      expect(d, `${what}: ${k}`).to.be.below(1e-5);
    }
  };

  for (const spec of specs) {
    it(`${spec.name}: ${spec.cls} loads with no missing or unexpected keys, the same keys in order, the same outputs and loss`, () => {
      const model = CLASSES[spec.cls].fromPretrained(spec.dir);
      expect(model.loadingInfo).to.deep.equal({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
      expect(model.training).to.equal(false);
      const keys = Object.keys(model.stateDict());
      expect(keys).to.deep.equal(py[spec.name].keys);
      compare(ourOutputs(model, batch, labels, floatLabels[spec.name] ?? null), py[spec.name], spec.name);
    });
  }

  it('the sharded checkpoint is really sharded (model.safetensors.index.json and several files)', () => {
    const index = JSON.parse(readFileSync(join(D('sharded'), 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    expect(new Set(Object.values(index.weight_map)).size).to.be.above(1);
  });

  it('the MLM decoder is tied to the word embeddings (and its bias to cls.predictions.bias) unless tie_word_embeddings is false', () => {
    const tied = BertForPreTraining.fromPretrained(D('pretraining'));
    expect(tied.cls.predictions.decoder.weight).to.equal(tied.bert.embeddings.word_embeddings.weight);
    expect(tied.cls.predictions.decoder.bias).to.equal(tied.cls.predictions.bias);
    expect(tied.parameters().length).to.equal(Object.keys(tied.stateDict()).length - 2);
    const untied = BertForPreTraining.fromPretrained(D('untied'));
    expect(untied.cls.predictions.decoder.weight).to.not.equal(untied.bert.embeddings.word_embeddings.weight);
    expect(untied.parameters().length).to.equal(Object.keys(untied.stateDict()).length);
  });

  it("pytorch_model.bin (torch.save'd with the tied keys, as transformers 4 wrote) loads the same", () => {
    const model = BertForPreTraining.fromPretrained(D('pretraining-bin'));
    expect(model.loadingInfo).to.deep.equal({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    compare(ourOutputs(model, batch, labels), py.pretraining, 'pytorch_model.bin');
  });

  it('old checkpoints: LayerNorm gamma/beta and a saved position_ids buffer load as transformers loads them', () => {
    const src = torch.serialization.loadSafetensors(join(D('base'), 'model.safetensors'));
    const renamed: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(src)) renamed[k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')] = v;
    renamed['embeddings.position_ids'] = torch.arange(SMALL_CONFIG.max_position_embeddings).unsqueeze(0);
    mkdirSync(D('legacy'), { recursive: true });
    copyFileSync(join(D('base'), 'config.json'), join(D('legacy'), 'config.json'));
    torch.save(renamed, join(D('legacy'), 'pytorch_model.bin'));
    const model = BertModel.fromPretrained(D('legacy'));
    expect(model.loadingInfo).to.deep.equal({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    compare(ourOutputs(model, batch, labels), py.base, 'legacy names');
  });

  it('savePretrained writes folders transformers loads with no missing keys and the same logits (safetensors and .bin)', () => {
    torch.manualSeed(3);
    const trained = BertForPreTraining.fromPretrained(D('pretraining'));
    // Move the weights away from the saved ones first: a few AdamW steps.
    trained.train();
    const opt = new torch.optim.AdamW(trained.parameters(), { lr: 1e-2 });
    for (let i = 0; i < 3; i++) {
      torch.tidy(() => {
        opt.zeroGrad();
        const out = trained.forward(long(batch.input_ids), {
          attentionMask: long(batch.attention_mask),
          tokenTypeIds: long(batch.token_type_ids),
          labels: long(batch.labels),
          nextSentenceLabel: long(batch.next_sentence_label),
        });
        (out.loss as Tensor).backward();
        opt.step();
      });
    }
    trained.eval();
    trained.savePretrained(D('ours-safe'));
    trained.savePretrained(D('ours-bin'), { safeSerialization: false });
    const seq = BertForSequenceClassification.fromPretrained(D('seq'));
    seq.savePretrained(D('ours-seq'));
    const config = JSON.parse(readFileSync(join(D('ours-seq'), 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.architectures).to.deep.equal(['BertForSequenceClassification']);
    expect(config.id2label).to.deep.equal({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    const header = torch.serialization.readSafetensorsHeader(join(D('ours-safe'), 'model.safetensors'));
    expect(header.metadata).to.deep.equal({ format: 'pt' });
    expect(Object.keys(header.tensors)).to.not.include('cls.predictions.decoder.weight');

    const ours = ourOutputs(trained, batch, labels);
    const back = hfReference<Record<string, Outputs & { info: { missing_keys: string[]; unexpected_keys: string[] }; tied: boolean }>>({
      op: 'load',
      dirs: [
        { cls: 'BertForPreTraining', dir: D('ours-safe') },
        { cls: 'BertForPreTraining', dir: D('ours-bin') },
        { cls: 'BertForSequenceClassification', dir: D('ours-seq') },
      ],
      inputs: { ...batch, labels },
    });
    for (const dir of [D('ours-safe'), D('ours-bin')]) {
      const r = back[dir];
      expect(r.info).to.deep.equal({ missing_keys: [], unexpected_keys: [] });
      expect(r.tied).to.equal(true);
      expect(maxAbsDiff(ours.prediction_logits as number[], r.prediction_logits as number[])).to.be.below(1e-5);
      expect(maxAbsDiff(ours.seq_relationship_logits as number[], r.seq_relationship_logits as number[])).to.be.below(1e-5);
      expect(Math.abs((ours.loss as number) - (r.loss as number))).to.be.below(1e-5);
    }
    expect(back[D('ours-seq')].info).to.deep.equal({ missing_keys: [], unexpected_keys: [] });
    expect(maxAbsDiff(back[D('ours-seq')].logits as number[], py.seq.logits as number[])).to.be.below(1e-5);
    // And our own loader reads what we wrote.
    const again = BertForPreTraining.fromPretrained(D('ours-bin'));
    expect(maxAbsDiff(ourOutputs(again, batch, labels).prediction_logits as number[], ours.prediction_logits as number[])).to.equal(0);
  });

  it('loading a checkpoint into another class reports the missing and unexpected keys transformers reports', () => {
    const cases = [
      { name: 'pretraining->BertModel', cls: 'BertModel', dir: D('pretraining') },
      { name: 'pretraining->SequenceClassification', cls: 'BertForSequenceClassification', dir: D('pretraining') },
      { name: 'mlm->PreTraining', cls: 'BertForPreTraining', dir: D('mlm') },
      { name: 'base->SequenceClassification', cls: 'BertForSequenceClassification', dir: D('base') },
      { name: 'base->MaskedLM', cls: 'BertForMaskedLM', dir: D('base') },
      { name: 'seq->TokenClassification', cls: 'BertForTokenClassification', dir: D('seq'), kwargs: { num_labels: 3 } },
    ];
    const theirs = hfReference<Record<string, { missing_keys: string[]; unexpected_keys: string[] }>>({ op: 'info', cases });
    for (const c of cases) {
      const opts = c.kwargs ? { config: { numLabels: c.kwargs.num_labels }, warn: false } : { warn: false };
      const info = CLASSES[c.cls].fromPretrained(c.dir, opts).loadingInfo;
      expect({ missing_keys: [...info!.missingKeys].sort(), unexpected_keys: [...info!.unexpectedKeys].sort() }, c.name).to.deep.equal(theirs[c.name]);
    }
  });

  it('warns about missing and unexpected weights as transformers does, unless warn is false', () => {
    const lines: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => lines.push(msg);
    try {
      BertForSequenceClassification.fromPretrained(D('pretraining'));
      BertForSequenceClassification.fromPretrained(D('pretraining'), { warn: false });
    } finally {
      console.warn = warn;
    }
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(
      new RegExp(`^Some weights of the model checkpoint at ${D('pretraining')} were not used when initializing BertForSequenceClassification: \\[cls\\.`),
    );
    expect(lines[1]).to.equal(
      `Some weights of BertForSequenceClassification were not initialized from the model checkpoint at ${D('pretraining')} and are newly initialized: [classifier.weight, classifier.bias]`,
    );
  });

  it('fromPretrained says what is wrong with the folder', () => {
    const missing = D('does-not-exist');
    expect(() => BertModel.fromPretrained(missing)).to.throw(`Pretrained model folder ${missing} does not exist`);
    mkdirSync(D('empty'));
    expect(() => BertModel.fromPretrained(D('empty'))).to.throw(`${D('empty')} has no config.json: not a transformers model folder`);
    mkdirSync(D('no-weights'));
    copyFileSync(join(D('base'), 'config.json'), join(D('no-weights'), 'config.json'));
    expect(() => BertModel.fromPretrained(D('no-weights'))).to.throw(
      `No model weights in ${D('no-weights')}: expected model.safetensors or pytorch_model.bin (or their .index.json)`,
    );
    const badConfig = (name: string, patch: Record<string, unknown>) => {
      mkdirSync(D(name));
      const cfg = { ...JSON.parse(readFileSync(join(D('base'), 'config.json'), 'utf8')), ...patch };
      writeFileSync(join(D(name), 'config.json'), JSON.stringify(cfg));
      copyFileSync(join(D('base'), 'model.safetensors'), join(D(name), 'model.safetensors'));
      return join(D(name), 'config.json');
    };
    let p = badConfig('zero-hidden', { hidden_size: 0 });
    expect(() => BertModel.fromPretrained(D('zero-hidden'))).to.throw(
      RangeError,
      `Expected a positive integer for hidden_size in ${p} but received 0 of type number`,
    );
    p = badConfig('relative', { position_embedding_type: 'relative_key' });
    expect(() => BertModel.fromPretrained(D('relative'))).to.throw(
      `Expected 'absolute' (the only position embedding implemented) for position_embedding_type in ${p} but received 'relative_key' of type string`,
    );
    p = badConfig('roberta', { model_type: 'roberta' });
    expect(() => BertModel.fromPretrained(D('roberta'))).to.throw(`Expected 'bert' for model_type in ${p} but received 'roberta' of type string`);
    p = badConfig('decoder', { is_decoder: true });
    expect(() => BertModel.fromPretrained(D('decoder'))).to.throw(
      `Expected false (decoders are not implemented) for is_decoder in ${p} but received true of type boolean`,
    );
    p = badConfig('act', { hidden_act: 'gelu_10' });
    expect(() => BertModel.fromPretrained(D('act'))).to.throw(
      `Expected one of gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, relu, silu, swish, tanh for hidden_act in ${p} but received 'gelu_10' of type string`,
    );
    mkdirSync(D('not-json'));
    writeFileSync(join(D('not-json'), 'config.json'), '{ nope');
    expect(() => BertModel.fromPretrained(D('not-json'))).to.throw(`Cannot read the BERT config ${join(D('not-json'), 'config.json')}:`);
    expect(() => BertModel.fromPretrained(D('base'), { strik: true } as never)).to.throw(
      TypeError,
      "Unknown option 'strik' for fromPretrained; expected one of: config, device, dtype, ignoreMismatchedSizes, strict, warn",
    );
  });

  it('shape mismatches throw unless ignoreMismatchedSizes, which re-initializes and reports them', () => {
    expect(() => BertForSequenceClassification.fromPretrained(D('seq'), { config: { numLabels: 4 } })).to.throw(
      `Error(s) in loading ${join(D('seq'), 'model.safetensors')} into BertForSequenceClassification:\n\t` +
        'size mismatch for classifier.weight: the checkpoint has shape [3, 32], the model [4, 32]\n\t' +
        'size mismatch for classifier.bias: the checkpoint has shape [3], the model [4]\n\t' +
        '(pass ignoreMismatchedSizes: true to re-initialize these weights)',
    );
    const m = BertForSequenceClassification.fromPretrained(D('seq'), { config: { numLabels: 4 }, ignoreMismatchedSizes: true, warn: false });
    expect(m.numLabels).to.equal(4);
    expect(m.config.id2label).to.deep.equal(['LABEL_0', 'LABEL_1', 'LABEL_2', 'LABEL_3']);
    expect(m.loadingInfo).to.deep.equal({
      missingKeys: [],
      unexpectedKeys: [],
      mismatchedKeys: [
        { key: 'classifier.weight', checkpointShape: [3, 32], modelShape: [4, 32] },
        { key: 'classifier.bias', checkpointShape: [3], modelShape: [4] },
      ],
    });
  });

  it('strict loading throws for missing and unexpected keys', () => {
    expect(() => BertForSequenceClassification.fromPretrained(D('base'), { strict: true })).to.throw(
      `Error(s) in loading ${D('base')} into BertForSequenceClassification:\n\tMissing key(s): "classifier.weight", "classifier.bias".`,
    );
    expect(() => BertModel.fromPretrained(D('mlm'), { strict: true })).to.throw(/Unexpected key\(s\): "cls\.predictions\.bias", /);
  });

  it('bertConfig validates its fields with one message shape', () => {
    expect(() => bertConfig({ hiddenSize: 30, numAttentionHeads: 4 })).to.throw(
      RangeError,
      'The hidden size (30) is not a multiple of the number of attention heads (4)',
    );
    expect(() => bertConfig({ hiddenDropoutProb: 1.5 })).to.throw(
      RangeError,
      'Expected a probability in [0, 1] for hiddenDropoutProb but received 1.5 of type number',
    );
    expect(() => bertConfig({ padTokenId: 30522 })).to.throw(
      RangeError,
      'Expected an integer in [0, 30521] or null for padTokenId but received 30522 of type number',
    );
    expect(() => bertConfig({ hiddenAct: 'gelu_10' as never })).to.throw(RangeError, "for hiddenAct but received 'gelu_10' of type string");
    expect(() => bertConfig({ numLabels: 0 })).to.throw(RangeError, 'Expected a positive integer for numLabels but received 0 of type number');
    expect(() => bertConfig({ numLabels: 3, id2label: ['a', 'b'] })).to.throw(RangeError, 'Expected id2label of length numLabels (3) but received 2 labels');
    expect(() => bertConfig({ vocabsize: 3 } as never)).to.throw(TypeError, "Unknown option 'vocabsize' for bertConfig; expected one of: vocabSize,");
    const c = bertConfig({ numLabels: 3 });
    expect(c.id2label).to.deep.equal(['LABEL_0', 'LABEL_1', 'LABEL_2']);
    expect([c.hiddenSize, c.numHiddenLayers, c.vocabSize, c.layerNormEps]).to.deep.equal([768, 12, 30522, 1e-12]);
  });

  it('forward checks its inputs', () => {
    const m = new BertForPreTraining(
      bertConfig({ vocabSize: 50, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 20, maxPositionEmbeddings: 8 }),
    );
    const ids = torch.randint(0, 50, [2, 5]);
    expect(() => m.forward(ids.float())).to.throw(TypeError, 'Expected an integer Tensor for inputIds but received a float32 Tensor');
    expect(() => m.forward(torch.randint(0, 50, [5]))).to.throw(RangeError, 'Expected a [batch, sequence] Tensor for inputIds but received shape [5]');
    expect(() => m.forward(torch.randint(0, 50, [2, 9]))).to.throw(
      RangeError,
      'Expected a sequence of at most 8 tokens (maxPositionEmbeddings) for inputIds but received 9',
    );
    expect(() => m.forward(ids, { attentionMask: torch.ones([2, 4]) })).to.throw(
      RangeError,
      'Expected shape [2, 5] (that of inputIds) for attentionMask but received [2, 4]',
    );
    expect(() => m.forward(ids, { tokenTypeIds: torch.zeros([2, 5]) })).to.throw(
      TypeError,
      'Expected an integer Tensor for tokenTypeIds but received a float32 Tensor',
    );
    expect(() => m.forward(ids, { labels: torch.zeros([2], { dtype: 'int64' }) })).to.throw(RangeError, 'Expected shape [2, 5] for labels but received [2]');
    expect(() => m.forward(ids, { nextSentenceLabel: torch.zeros([3], { dtype: 'int64' }) })).to.throw(
      RangeError,
      'Expected shape [2] for nextSentenceLabel but received [3]',
    );
    expect(() => m.forward(ids, { attention_mask: ids } as never)).to.throw(
      TypeError,
      "Unknown option 'attention_mask' for BertForPreTraining.forward; expected one of: attentionMask, tokenTypeIds, positionIds, labels, nextSentenceLabel",
    );
    expect(() => m.forwardMasked(ids, {} as never)).to.throw(TypeError, 'Expected a Tensor for labels but received undefined');
    const seq = new BertForSequenceClassification(
      bertConfig({ vocabSize: 50, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 20, numLabels: 3 }),
    );
    expect(() => seq.forward(ids, { labels: torch.zeros([3], { dtype: 'int64' }) })).to.throw(
      RangeError,
      'Expected 2 class indices for labels but received shape [3]',
    );
    expect(() => m.savePretrained(D('x'), { safe: true } as never)).to.throw(
      TypeError,
      "Unknown option 'safe' for savePretrained; expected one of: safeSerialization",
    );
  });
});
