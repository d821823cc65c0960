/**
 * BertTokenizerFast (lib/bert/hf/tokenizer.ts) against transformers'
 * BertTokenizerFast: on 3,000 Brown sentences (every 5th with accented,
 * Greek, Cyrillic, Chinese or Japanese text, control characters or special
 * tokens added) and 400 sentence pairs, uncased and cased, from
 * tokenizer.json and from vocab.txt + tokenizer_config.json, the ids are the
 * same; folders we save give the same ids in transformers; special tokens
 * come from the config files.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBrownCorpus } from '../lib/bert/corpus.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { BertTokenizerFast } from '../lib/bert/hf/index.js';
import { hfReference, requireTransformers, tempDir } from './helpers/hf.js';

const EXTRAS = [
  "café au lait, s'il vous plaît",
  'naïve Ångström coöperation',
  'São Paulo e Zürich',
  'Müller and Gödel',
  'résumé RÉSUMÉ',
  '中文字符',
  '東京は日本の首都です',
  '北京大学 Peking University',
  'Ελληνικά γράμματα',
  'Привет, мир',
  'Ａｂｃ fullwidth',
  'tab\there and\u00a0no-break space',
  'control\u0007char and \u200bzero-width',
  'the [MASK] sat on the <mask>',
  'e\u0301 combining accent',
];

interface PyTok {
  single: number[][];
  pairs: number[][];
  pair_types: number[][];
  batch: { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][] };
}

describe('65 Hugging Face BERT tokenizer (transformers parity)', function () {
  this.timeout(180_000);
  const tmp = tempDir('hf-tok-');
  const D = (name: string) => join(tmp.dir, name);
  const brown = loadBrownCorpus().flat();
  const step = Math.floor(brown.length / 3000);
  const sentences = Array.from({ length: 3000 }, (_, i) => brown[i * step] + (i % 5 === 0 ? ` ${EXTRAS[(i / 5) % EXTRAS.length]}` : ''));
  const pairs: [string, string][] = Array.from({ length: 400 }, (_, i) => [sentences[i * 7], sentences[i * 7 + 1]]);
  const batch = { texts: sentences.slice(0, 8), pairs: sentences.slice(8, 16), max_length: 24 };
  const cases = [
    { name: 'uncased', lower: true, vocab: D('uncased.txt'), dir: D('uncased'), vocab_dir: D('uncased-vocab') },
    { name: 'cased', lower: false, vocab: D('cased.txt'), dir: D('cased'), vocab_dir: D('cased-vocab') },
    {
      name: 'renamed',
      lower: true,
      vocab: D('renamed.txt'),
      dir: D('renamed'),
      vocab_dir: D('renamed-vocab'),
      specials: { mask_token: '<mask>', unk_token: '<unk>' },
    },
  ];
  let py: Record<string, PyTok>;
  const agreement: string[] = [];

  before(function () {
    requireTransformers(this);
    for (const lower of [true, false]) {
      // A Brown vocabulary, plus pieces that make the accented and CJK text partly known.
      const vocab = [...BertTokenizer.train(brown.slice(0, 20000), { vocabSize: 4000, doLowerCase: lower }).vocab];
      for (const extra of ['café', 'é', '##é', 'ü', '##ü', 'Z', '##ö', '中', '文', '東', '京', '北', 'a', '##a', 'É', 'р', '##и']) {
        if (!vocab.includes(extra)) vocab.push(extra);
      }
      writeFileSync(lower ? D('uncased.txt') : D('cased.txt'), `${vocab.join('\n')}\n`);
      if (lower) writeFileSync(D('renamed.txt'), `${vocab.map((t) => (t === '[MASK]' ? '<mask>' : t === '[UNK]' ? '<unk>' : t)).join('\n')}\n`);
    }
    py = hfReference<Record<string, PyTok>>({ op: 'tokenize', cases, sentences, pairs, batch });
  });
  after(() => {
    if (agreement.length > 0) console.log(`    identical ids: ${agreement.join('; ')}`);
    tmp.remove();
  });

  const check = (tok: BertTokenizerFast, ref: PyTok, what: string) => {
    let same = 0;
    const firstDiff: string[] = [];
    sentences.forEach((s, i) => {
      const ids = tok.encode(s);
      if (JSON.stringify(ids) === JSON.stringify(ref.single[i])) same++;
      else if (firstDiff.length < 3) firstDiff.push(`${JSON.stringify(s)}: ${JSON.stringify(ids)} vs ${JSON.stringify(ref.single[i])}`);
    });
    let samePairs = 0;
    pairs.forEach(([a, b], i) => {
      const enc = tok.encodePlus(a, b);
      if (JSON.stringify(enc.inputIds) === JSON.stringify(ref.pairs[i]) && JSON.stringify(enc.tokenTypeIds) === JSON.stringify(ref.pair_types[i])) samePairs++;
    });
    agreement.push(`${what} ${same}/${sentences.length} sentences, ${samePairs}/${pairs.length} pairs`);
    expect(firstDiff, what).to.deep.equal([]);
    expect(same).to.equal(sentences.length);
    expect(samePairs).to.equal(pairs.length);
  };

  for (const c of ['uncased', 'cased', 'renamed']) {
    it(`${c}: tokenizer.json folders (as transformers 5 saves them) give transformers' ids`, () => {
      check(BertTokenizerFast.fromPretrained(D(c)), py[c], `${c} tokenizer.json:`);
    });
    it(`${c}: vocab.txt + tokenizer_config.json folders give transformers' ids`, () => {
      const tok = BertTokenizerFast.fromPretrained(D(`${c}-vocab`));
      expect(tok.settings.doLowerCase).to.equal(c !== 'cased');
      check(tok, py[c], `${c} vocab.txt:`);
    });
  }

  it('special tokens come from the config files (tokenizer_config.json, then special_tokens_map.json)', () => {
    const tok = BertTokenizerFast.fromPretrained(D('renamed-vocab'));
    expect(tok.settings.maskToken).to.equal('<mask>');
    expect(tok.settings.unkToken).to.equal('<unk>');
    expect(tok.tokenize('the <mask> sat')).to.deep.equal(['the', '<mask>', 'sat']);
    expect(tok.maskTokenId).to.equal(tok.tokenizer.convertTokensToIds('<mask>'));
    mkdirSync(D('mapped'));
    writeFileSync(join(D('mapped'), 'vocab.txt'), `${['[PAD]', '[UNK]', '<s>', '</s>', '[MASK]', 'the', 'cat'].join('\n')}\n`);
    writeFileSync(join(D('mapped'), 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, cls_token: '[CLS]', sep_token: '[SEP]' }));
    writeFileSync(join(D('mapped'), 'special_tokens_map.json'), JSON.stringify({ cls_token: '<s>', sep_token: { content: '</s>', lstrip: false } }));
    const mapped = BertTokenizerFast.fromPretrained(D('mapped'));
    expect(mapped.encode('The cat')).to.deep.equal([2, 5, 6, 3]);
  });

  it('batchEncode pads and truncates as tokenizer(texts, pairs, padding=True, truncation=True, max_length=24)', () => {
    for (const c of ['uncased', 'cased']) {
      const tok = BertTokenizerFast.fromPretrained(D(c));
      const enc = tok.batchEncode(batch.texts, { pairs: batch.pairs, maxLength: batch.max_length });
      expect(enc.inputIds.tolist()).to.deep.equal(py[c].batch.input_ids);
      expect(enc.attentionMask.tolist()).to.deep.equal(py[c].batch.attention_mask);
      expect(enc.tokenTypeIds.tolist()).to.deep.equal(py[c].batch.token_type_ids);
      expect(enc.inputIds.dtype).to.equal('int64');
    }
  });

  it('savePretrained writes a folder transformers (AutoTokenizer) reads with the same ids, and so do we', () => {
    for (const c of ['uncased', 'cased']) {
      const ours = BertTokenizerFast.fromPretrained(D(`${c}-vocab`));
      ours.savePretrained(D(`ours-${c}`));
      const back = hfReference<{ single: number[][]; class: string }>({ op: 'tokenize_dir', dir: D(`ours-${c}`), sentences });
      expect(back.class).to.equal('BertTokenizer');
      expect(back.single).to.deep.equal(py[c].single);
      const again = BertTokenizerFast.fromPretrained(D(`ours-${c}`));
      expect(again.settings).to.deep.equal(ours.settings);
      expect(sentences.slice(0, 200).map((s) => again.encode(s))).to.deep.equal(py[c].single.slice(0, 200));
    }
  });

  it('says what is wrong with a tokenizer folder or a batch', () => {
    expect(() => BertTokenizerFast.fromPretrained(D('nope'))).to.throw(`Tokenizer folder ${D('nope')} does not exist`);
    mkdirSync(D('none'));
    expect(() => BertTokenizerFast.fromPretrained(D('none'))).to.throw(`No tokenizer in ${D('none')}: expected tokenizer.json or vocab.txt`);
    mkdirSync(D('bpe'));
    writeFileSync(join(D('bpe'), 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: {} } }));
    expect(() => BertTokenizerFast.fromPretrained(D('bpe'))).to.throw(
      `${join(D('bpe'), 'tokenizer.json')} does not hold a WordPiece model (model.type is BPE)`,
    );
    mkdirSync(D('lower-only'));
    writeFileSync(
      join(D('lower-only'), 'tokenizer.json'),
      JSON.stringify({ model: { type: 'WordPiece', vocab: { '[PAD]': 0 } }, normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Whitespace' } }),
    );
    expect(() => BertTokenizerFast.fromPretrained(D('lower-only'))).to.throw(
      `${join(D('lower-only'), 'tokenizer.json')} is not a BERT tokenizer: expected a BertNormalizer and a BertPreTokenizer, found Lowercase and Whitespace`,
    );
    mkdirSync(D('no-mask'));
    writeFileSync(join(D('no-mask'), 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n');
    expect(() => BertTokenizerFast.fromPretrained(D('no-mask'))).to.throw('The vocabulary lacks the special token(s) [MASK]');
    mkdirSync(D('bad-config'));
    writeFileSync(join(D('bad-config'), 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n');
    writeFileSync(join(D('bad-config'), 'tokenizer_config.json'), '{');
    expect(() => BertTokenizerFast.fromPretrained(D('bad-config'))).to.throw(`Cannot read ${join(D('bad-config'), 'tokenizer_config.json')}:`);
    const tok = new BertTokenizerFast(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the']);
    expect(() => tok.batchEncode([])).to.throw(RangeError, 'Expected a non-empty array of texts for texts but received an empty array');
    expect(() => tok.batchEncode(['the'], { pairs: ['the', 'the'] })).to.throw(RangeError, 'Expected 1 pairs (one per text) for pairs but received 2');
    expect(() => tok.batchEncode(['the'], { padding: 'max_length' })).to.throw(RangeError, "padding: 'max_length' needs maxLength");
    expect(() => tok.batchEncode(['the'], { pad: true } as never)).to.throw(
      TypeError,
      "Unknown option 'pad' for batchEncode; expected one of: pairs, maxLength, truncation, padding",
    );
    expect(() => new BertTokenizerFast(['[PAD]'], { lower: true } as never)).to.throw(
      TypeError,
      "Unknown option 'lower' for BertTokenizerFast; expected one of: doLowerCase,",
    );
  });
});
