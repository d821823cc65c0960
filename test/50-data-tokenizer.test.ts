import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBrownCorpus } from '../lib/bert/corpus.js';
import { BertTokenizer, SPECIAL_TOKENS, trainWordPieceVocab, truncateLongestFirst, wordRoundedLength } from '../lib/bert/tokenizer/index.js';

const TRICKY = [
  'Héllo Wörld! Ça va? naïve café façade',
  'Tabs\tand\nnewlines\r\nand  double  spaces',
  'control\u0000chars\u0007 are\u200b removed\ufffd',
  '中文字符 mixed with English',
  'emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP',
  'The [MASK] sat on the [mask] mat [SEP] [CLS][PAD]x',
  'Punctuation: «quotes» — dashes… ¿inverted? (parens) [brackets] {braces} #hash @at ~tilde',
  "it's 1,000,000 dollars or $5.00 (50%) - don't worry",
  '',
  '   ',
  `${'a'.repeat(150)} supercalifragilisticexpialidocious`,
];

describe('50 data: BertTokenizer', () => {
  let sentences: string[];
  let tok: BertTokenizer;
  let dir: string;

  before(() => {
    sentences = loadBrownCorpus().flat();
    tok = BertTokenizer.train(sentences, { vocabSize: 8000 });
    dir = mkdtempSync(path.join(tmpdir(), 'tok-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('training', () => {
    it('puts the special tokens first and honours vocabSize', () => {
      expect(tok.vocab.slice(0, 5)).to.deep.equal([...SPECIAL_TOKENS]);
      expect([tok.padTokenId, tok.unkTokenId, tok.clsTokenId, tok.sepTokenId, tok.maskTokenId]).to.deep.equal([0, 1, 2, 3, 4]);
      expect(tok.vocabSize).to.equal(8000);
      expect(new Set(tok.vocab).size).to.equal(8000);
      // The learned part never contains a special token again.
      expect(tok.vocab.slice(5).filter((t) => t.startsWith('['))).to.deep.equal(['[']);
    });

    it('gives fewer tokens when the corpus is small or minFrequency is high', () => {
      const small = BertTokenizer.train(['the cat sat on the mat', 'the dog sat on the log'], { minFrequency: 0 });
      expect(small.vocabSize).to.be.below(100);
      expect(small.tokenize('the cat sat')).to.deep.equal(['the', 'cat', 'sat']);
      // With minFrequency 2 (the default) pairs seen once are not merged: no 'cat', 'dog', 'mat', 'log'.
      const freq2 = BertTokenizer.train(['the cat sat on the mat', 'the dog sat on the log']);
      expect(freq2.vocabSize).to.be.below(small.vocabSize);
      expect(freq2.vocab).to.include.members(['the', 'sat', 'on', '##at', '##og']);
      expect(freq2.vocab).not.to.include.members(['cat']);
      expect(freq2.tokenize('cat dog')).to.deep.equal(['c', '##at', 'd', '##og']);
    });

    it('follows the WordPiece trainer on a tiny corpus', () => {
      const counts = new Map([
        ['hello', 2],
        ['world', 1],
        ['hell', 1],
      ]);
      const vocab = trainWordPieceVocab(counts, { vocabSize: 100, minFrequency: 0, specialTokens: ['[UNK]'] });
      // Alphabet sorted by code point, then ## forms in order of appearance, then merges.
      expect(vocab.slice(0, 8)).to.deep.equal(['[UNK]', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
      expect(vocab.slice(8, 13)).to.deep.equal(['##e', '##l', '##o', '##r', '##d']);
      expect(vocab[13]).to.equal('he'); // (h, ##e) and (##l, ##l) occur 3 times; (h, ##e) has the smaller ids
      expect(vocab).to.include.members(['hello', 'hell', 'world']);
    });

    it('trains from files too', () => {
      const file = path.join(dir, 'train.txt');
      writeFileSync(file, sentences.slice(0, 2000).join('\n'));
      const fromFile = BertTokenizer.train({ files: [file] }, { vocabSize: 2000 });
      const fromList = BertTokenizer.train(sentences.slice(0, 2000), { vocabSize: 2000 });
      expect(fromFile.vocab).to.deep.equal(fromList.vocab);
    });

    it('rejects bad options', () => {
      expect(() => BertTokenizer.train(['a b'], { vocabSize: 3 })).to.throw(
        RangeError,
        'vocabSize 3 is too small: the special tokens and the alphabet alone take 7 entries',
      );
      expect(() => BertTokenizer.train(['a'], { vocabSize: 0 })).to.throw(
        RangeError,
        'Expected a positive integer for vocabSize but received 0 of type number',
      );
      expect(() => BertTokenizer.train(['a'], { vocabsize: 10 } as never)).to.throw(TypeError, "Unknown option 'vocabsize' for BertTokenizer.train");
    });
  });

  describe('encoding', () => {
    it('equals Hugging Face tokenizers on 3000 Brown sentences and tricky text', async () => {
      const sample = sentences.filter((_, i) => i % 19 === 0).concat(TRICKY);
      const native = await tok.native.encodeBatch(sample);
      sample.forEach((s, i) => {
        expect(tok.encode(s), s).to.deep.equal(native[i].getIds());
        expect(tok.encodePlus(s).tokenTypeIds).to.deep.equal(native[i].getTypeIds());
      });
      const pairs = await Promise.all(TRICKY.map((s, i) => tok.native.encode(s, sentences[i])));
      TRICKY.forEach((s, i) => {
        const mine = tok.encodePlus(s, sentences[i]);
        expect(mine.inputIds).to.deep.equal(pairs[i].getIds());
        expect(mine.tokenTypeIds).to.deep.equal(pairs[i].getTypeIds());
        expect(mine.attentionMask).to.deep.equal(pairs[i].getAttentionMask());
        expect(mine.specialTokensMask).to.deep.equal(pairs[i].getSpecialTokensMask());
      });
    });

    it('lays out [CLS] A [SEP] B [SEP] with type ids 0 then 1', () => {
      const e = tok.encodePlus('The cat sat.', 'It ran!');
      expect(tok.convertIdsToTokens(e.inputIds)).to.deep.equal(['[CLS]', 'the', 'cat', 'sat', '.', '[SEP]', 'it', 'ran', '!', '[SEP]']);
      expect(e.tokenTypeIds).to.deep.equal([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(e.attentionMask).to.deep.equal(Array(10).fill(1));
      expect(tok.encode('The cat', null, { addSpecialTokens: false })).to.deep.equal(tok.convertTokensToIds(['the', 'cat']));
    });

    it('pads to maxLength', () => {
      const e = tok.encodePlus('The cat sat.', null, { maxLength: 9, padding: 'max_length' });
      expect(e.inputIds.slice(5)).to.deep.equal([3, 0, 0, 0]);
      expect(e.attentionMask).to.deep.equal([1, 1, 1, 1, 1, 1, 0, 0, 0]);
      expect(e.tokenTypeIds).to.deep.equal(Array(9).fill(0));
      expect(e.specialTokensMask).to.deep.equal([1, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(tok.encodePlus('The cat sat.', null, { padding: true }).inputIds.length).to.equal(6);
    });

    it('truncates pairs like Hugging Face (longest_first, only_first, only_second)', async () => {
      const a = sentences[3];
      const b = sentences[10];
      const mid = 'one two three four five six seven eight nine ten eleven';
      for (const maxLength of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 33, 64]) {
        for (const [x, y] of [
          [a, b],
          [b, a],
          [a, 'Short.'],
          ['Short.', a],
          [a, mid],
          [mid, a],
        ]) {
          for (const strategy of ['longest_first', 'only_first', 'only_second'] as const) {
            const native = tok.native;
            native.setTruncation(maxLength, {
              strategy: strategy === 'longest_first' ? 'LongestFirst' : strategy === 'only_first' ? 'OnlyFirst' : 'OnlySecond',
            } as never);
            let expected: number[] | string;
            try {
              expected = (await native.encode(x, y)).getIds();
            } catch (_e) {
              expected = 'error';
            } finally {
              native.disableTruncation();
            }
            let actual: number[] | string;
            try {
              actual = tok.encode(x, y, { maxLength, truncation: strategy });
            } catch {
              actual = 'error';
            }
            if (expected !== 'error' || actual !== 'error') {
              expect(actual, `${strategy} ${maxLength}`).to.deep.equal(expected);
            }
          }
        }
      }
      expect(truncateLongestFirst([1, 2, 3, 4, 5], [6, 7], 4)).to.deep.equal([
        [1, 2],
        [6, 7],
      ]);
      expect(truncateLongestFirst([1, 2, 3, 4, 5], [6, 7, 8, 9], 5)).to.deep.equal([
        [1, 2, 3],
        [6, 7],
      ]);
      expect(truncateLongestFirst([1, 2, 3, 4], [6, 7, 8, 9], 5)).to.deep.equal([
        [1, 2],
        [6, 7, 8],
      ]);
      // The deciding lengths may differ from the real ones (tokenizers 0.23 stops counting at maxLength).
      expect(truncateLongestFirst([1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15], 5, [8, 8])).to.deep.equal([
        [1, 2],
        [10, 11, 12],
      ]);
      expect(wordRoundedLength(20, [3, 6, 9, 12, 20], 8)).to.equal(9);
      expect(wordRoundedLength(7, [3, 7], 8)).to.equal(7);
      expect(tok.encode(a, null, { maxLength: 6, truncation: true }).length).to.equal(6);
    });

    it('rejects bad options with clear messages', () => {
      expect(() => tok.encodePlus('x', null, { padding: 'max_length' })).to.throw(RangeError, "padding: 'max_length' needs maxLength");
      expect(() => tok.encodePlus('x', null, { maxLength: 0 })).to.throw(RangeError, 'Expected a positive integer for maxLength but received 0 of type number');
      expect(() => tok.encodePlus('x', null, { maxlength: 3 } as never)).to.throw(TypeError, "Unknown option 'maxlength' for encodePlus");
      expect(() => tok.encodePlus('x', null, { truncation: 'sideways' } as never)).to.throw(TypeError, 'for truncation but received sideways');
      expect(() => tok.encode(3 as never)).to.throw(TypeError, 'Expected string for text but received number');
    });
  });

  describe('decoding and lookups', () => {
    it('decodes like transformers', () => {
      const ids = tok.encode("He didn't say it's over, right?", 'Yes.');
      expect(tok.decode(ids)).to.equal("[CLS] he didn't say it's over, right? [SEP] yes. [SEP]");
      expect(tok.decode(ids, { skipSpecialTokens: true })).to.equal("he didn't say it's over, right? yes.");
      expect(tok.decode(ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false })).to.equal("he didn ' t say it ' s over , right ? yes .");
      const the = BigInt(tok.convertTokensToIds('the'));
      expect(tok.decode(new BigInt64Array([2n, the, 3n]))).to.equal('[CLS] the [SEP]');
      const pieces = tok.tokenize('antidisestablishmentarianism');
      expect(pieces.length).to.be.above(1);
      expect(tok.decode(tok.convertTokensToIds(pieces))).to.equal('antidisestablishmentarianism');
    });

    it('converts ids and tokens, unknowns to [UNK]', () => {
      expect(tok.convertIdsToTokens(4)).to.equal('[MASK]');
      expect(tok.convertIdsToTokens([0, 1, 99999])).to.deep.equal(['[PAD]', '[UNK]', '[UNK]']);
      expect(tok.convertTokensToIds('[SEP]')).to.equal(3);
      expect(tok.convertTokensToIds(['no-such-token', '[CLS]'])).to.deep.equal([1, 2]);
      expect(tok.tokenize(`a${'b'.repeat(100)}`)).to.deep.equal(['[UNK]']);
    });
  });

  describe('saving and loading', () => {
    it('round-trips vocab.txt and tokenizer.json', () => {
      const vocabFile = path.join(dir, 'vocab.txt');
      const jsonFile = path.join(dir, 'tokenizer.json');
      tok.saveVocab(vocabFile);
      tok.saveTokenizerJson(jsonFile);
      expect(readFileSync(vocabFile, 'utf8').split('\n').length).to.equal(8001);
      const fromVocab = BertTokenizer.fromVocabFile(vocabFile);
      const fromJson = BertTokenizer.fromTokenizerJson(jsonFile);
      const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { model: { type: string }; normalizer: { type: string } };
      expect(json.model.type).to.equal('WordPiece');
      expect(json.normalizer.type).to.equal('BertNormalizer');
      for (const s of sentences.slice(0, 300).concat(TRICKY)) {
        const expected = tok.encode(s, 'And B.');
        expect(fromVocab.encode(s, 'And B.')).to.deep.equal(expected);
        expect(fromJson.encode(s, 'And B.')).to.deep.equal(expected);
      }
      expect(fromJson.vocabSize).to.equal(8000);
    });

    it('loads a standard BERT vocab.txt ([PAD]=0, [UNK]=100, [CLS]=101, ...)', () => {
      const vocab = ['[PAD]'];
      for (let i = 1; i < 100; i++) vocab.push(`[unused${i}]`);
      vocab.push('[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', '##s', 'sat', '.');
      const file = path.join(dir, 'bert-vocab.txt');
      writeFileSync(file, `${vocab.join('\r\n')}\r\n`);
      const bert = BertTokenizer.fromVocabFile(file);
      expect([bert.padTokenId, bert.unkTokenId, bert.clsTokenId, bert.sepTokenId, bert.maskTokenId]).to.deep.equal([0, 100, 101, 102, 103]);
      expect(bert.encode('The cats sat.')).to.deep.equal([101, 104, 105, 106, 107, 108, 102]);
      expect(bert.encode('The dog [MASK].')).to.deep.equal([101, 104, 100, 103, 108, 102]);
      expect(bert.isSpecialId(100)).to.equal(true);
    });

    it('reports a vocabulary without special tokens or with duplicates', () => {
      const file = path.join(dir, 'bad-vocab.txt');
      writeFileSync(file, 'the\ncat\n[UNK]\n');
      expect(() => BertTokenizer.fromVocabFile(file)).to.throw('The vocabulary lacks the special token(s) [PAD], [CLS], [SEP], [MASK]');
      expect(() => new BertTokenizer(['[PAD]', 'a', 'a'])).to.throw("The vocabulary has token 'a' twice (ids 1 and 2)");
      const json = path.join(dir, 'bpe.json');
      writeFileSync(json, JSON.stringify({ model: { type: 'BPE', vocab: {} } }));
      expect(() => BertTokenizer.fromTokenizerJson(json)).to.throw(`${json} does not hold a WordPiece model (model.type is BPE)`);
    });
  });
});
