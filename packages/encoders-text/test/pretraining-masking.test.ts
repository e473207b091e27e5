// MLM masking: BERT's proportions, whole words, special tokens, determinism; sequences and the collator's batches.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import {
  buildSequences,
  maskableGroups,
  maskSequence,
  MlmCollator,
  MlmData,
  mlmVocabFromTokenizerJson,
  resolveMasking,
  trainWordPiece,
  type MlmVocab,
} from '../src/index.js';

/** A vocabulary of `size` ids: 0..4 are [PAD] [UNK] [CLS] [SEP] [MASK]; ids >= `continuationFrom` are `##` pieces. */
function syntheticVocab(size: number, continuationFrom = size): MlmVocab {
  const special = new Uint8Array(size);
  special.set([1, 1, 1, 1, 1]);
  const continuation = new Uint8Array(size);
  for (let id = continuationFrom; id < size; id++) continuation[id] = 1;
  const ordinary = Int32Array.from({ length: size - 5 }, (_, i) => i + 5);
  return { vocabSize: size, padId: 0, clsId: 2, sepId: 3, maskId: 4, special, continuation, ordinary };
}

/** `count` sequences `[CLS] w... [SEP]` of 20..60 ordinary ids, some [UNK]s among them. */
function randomSequences(vocab: MlmVocab, count: number, seed: number): number[][] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: count }, () => {
    const body = Array.from({ length: rng.int(20, 60) }, () => (rng.float() < 0.03 ? 1 : (vocab.ordinary[rng.int(0, vocab.ordinary.length - 1)] as number)));
    return [vocab.clsId, ...body, vocab.sepId];
  });
}

describe('maskSequence', () => {
  const vocab = syntheticVocab(1000);
  const masking = resolveMasking();

  it("chooses 15% of the maskable tokens and corrupts them 80% [MASK] / 10% random / 10% unchanged (BERT's rule)", () => {
    const rng = Rng.fromSeed(1);
    const counts = { maskable: 0, chosen: 0, mask: 0, random: 0, kept: 0 };
    for (const ids of randomSequences(vocab, 3000, 2)) {
      const out = maskSequence(ids, vocab, masking, rng);
      counts.maskable += ids.filter((id) => vocab.special[id] === 0).length;
      counts.chosen += out.positions.length;
      out.positions.forEach((p, i) => {
        expect(out.labels[i]).toBe(ids[p]);
        const now = out.ids[p] as number;
        if (now === vocab.maskId) counts.mask += 1;
        else if (now === ids[p]) counts.kept += 1;
        else counts.random += 1;
      });
    }
    expect(counts.chosen / counts.maskable).toBeGreaterThan(0.145);
    expect(counts.chosen / counts.maskable).toBeLessThan(0.155);
    expect(counts.mask / counts.chosen).toBeCloseTo(0.8, 1);
    expect(Math.abs(counts.mask / counts.chosen - 0.8)).toBeLessThan(0.015);
    expect(Math.abs(counts.random / counts.chosen - 0.1)).toBeLessThan(0.012);
    expect(Math.abs(counts.kept / counts.chosen - 0.1)).toBeLessThan(0.012);
  });

  it('never chooses special tokens or padding and never draws them as random replacements', () => {
    const rng = Rng.fromSeed(3);
    const allRandom = resolveMasking({ maskTokenProb: 0, randomTokenProb: 1, maskProb: 0.5 });
    for (const ids of randomSequences(vocab, 500, 4)) {
      const padded = [...ids, 0, 0, 0];
      const out = maskSequence(padded, vocab, allRandom, rng);
      for (const p of out.positions) expect(vocab.special[padded[p] as number]).toBe(0);
      padded.forEach((id, i) => {
        if (vocab.special[id] === 1) expect(out.ids[i]).toBe(id);
        expect(vocab.special[out.ids[i] as number]).toBe(0 + vocab.special[id]!);
      });
    }
  });

  it('masks every piece of a chosen word together with wholeWord', () => {
    const pieces = syntheticVocab(1000, 600); // ids >= 600 continue a word
    const rng = Rng.fromSeed(5);
    const wholeWord = resolveMasking({ wholeWord: true });
    let words = 0;
    for (const ids of randomSequences(pieces, 500, 6)) {
      const groups = maskableGroups(ids, pieces, true);
      const chosen = new Set(maskSequence(ids, pieces, wholeWord, rng).positions);
      for (const group of groups) {
        const hits = group.filter((p) => chosen.has(p)).length;
        expect(hits === 0 || hits === group.length, `group ${group.join(',')}`).toBe(true);
        if (hits > 0 && group.length > 1) words += 1;
      }
      // A group starts at a word-initial piece (or right after a special token) and continues with ## pieces only.
      for (const group of groups) for (const p of group.slice(1)) expect(pieces.continuation[ids[p] as number]).toBe(1);
    }
    expect(words).toBeGreaterThan(100); // multi-piece words were chosen, not only single pieces
    // Without wholeWord, pieces of one word are chosen independently.
    const split = randomSequences(pieces, 300, 6).some((ids) => {
      const chosen = new Set(maskSequence(ids, pieces, masking, rng).positions);
      return maskableGroups(ids, pieces, true).some((g) => g.some((p) => chosen.has(p)) && g.some((p) => !chosen.has(p)));
    });
    expect(split).toBe(true);
  });

  it('groups by explicit word ids and never masks positions whose word id is null', () => {
    const ids = [2, 10, 11, 12, 13, 14, 3];
    const wordIds = [null, 0, 0, 1, null, 2, null];
    expect(maskableGroups(ids, vocab, true, wordIds)).toEqual([[1, 2], [3], [5]]);
    const out = maskSequence(ids, vocab, resolveMasking({ wholeWord: true, maskProb: 1 }), Rng.fromSeed(1), wordIds);
    expect(out.positions).toEqual([1, 2, 3, 5]);
  });

  it('is determined by the seed', () => {
    const ids = randomSequences(vocab, 1, 7)[0] as number[];
    const a = maskSequence(ids, vocab, masking, Rng.fromSeed(11));
    expect(maskSequence(ids, vocab, masking, Rng.fromSeed(11))).toEqual(a);
    expect(maskSequence(ids, vocab, masking, Rng.fromSeed(12))).not.toEqual(a);
  });

  it('rejects bad options and ids outside the vocabulary', () => {
    expect(() => resolveMasking({ maskProb: 0 })).toThrow(/maskProb/);
    expect(() => resolveMasking({ maskTokenProb: 0.9, randomTokenProb: 0.2 })).toThrow(/sum to at most 1/);
    expect(() => maskSequence([2, 1000, 3], vocab, masking, Rng.fromSeed(1))).toThrow(/token id 1000 at position 1 is outside the vocabulary of 1000/);
  });
});

describe('mlmVocabFromTokenizerJson', () => {
  it('reads special ids, [MASK] and ## continuations from a trained WordPiece tokenizer', () => {
    const json = trainWordPiece(['the revenue rose sharply', 'revenues of the company', 'the companies reported'], { vocabSize: 60, minFrequency: 1 });
    const vocab = mlmVocabFromTokenizerJson(json);
    expect([vocab.padId, vocab.clsId, vocab.sepId, vocab.maskId]).toEqual([0, 2, 3, 4]);
    expect([...vocab.special.slice(0, 6)]).toEqual([1, 1, 1, 1, 1, 0]);
    const model = json.model.vocab;
    for (const [token, id] of Object.entries(model)) expect(vocab.continuation[id], token).toBe(token.startsWith('##') && vocab.special[id] === 0 ? 1 : 0);
    expect(vocab.ordinary.length).toBe(vocab.vocabSize - 5);
    expect(() => mlmVocabFromTokenizerJson({ ...json, added_tokens: [], model: { ...json.model, vocab: { a: 0, b: 1 } } }, 'x.json')).toThrow(/tokenizer x.json: no mask token/);
  });
});

describe('sequences and batches', () => {
  const vocab = syntheticVocab(100);
  const texts = [[10, 11, 12], [13], [], [14, 15, 16, 17, 18, 19, 20, 21, 22, 23], [24, 25]];

  it('packs texts as [CLS] a [SEP] b [SEP] up to maxLength, truncating long texts, skipping empty ones', () => {
    const packed = buildSequences(texts, [0, 1, 2, 3, 4], vocab, { maxLength: 8 });
    expect(packed).toEqual([[2, 10, 11, 12, 3, 13, 3], [2, 14, 15, 16, 17, 18, 19, 3], [2, 24, 25, 3]]);
    const single = buildSequences(texts, [4, 0, 1], vocab, { maxLength: 8, pack: false });
    expect(single).toEqual([[2, 24, 25, 3], [2, 10, 11, 12, 3], [2, 13, 3]]);
  });

  it('collates masked batches: padded ids, flat positions, labels and non-padding token counts', () => {
    const collator = new MlmCollator(vocab, { maskProb: 0.5 });
    const sequences = [[2, 10, 11, 12, 3], [2, 13, 3]];
    const arrays = collator.maskArrays(sequences, Rng.fromSeed(3));
    expect([arrays.batch, arrays.seqLen, arrays.tokens]).toEqual([2, 5, 8]);
    expect([...arrays.attentionMask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect([...arrays.originalIds]).toEqual([2, 10, 11, 12, 3, 2, 13, 3, 0, 0]);
    expect(arrays.positions.length).toBe(3); // round(0.5 * 3) + max(1, round(0.5 * 1))
    arrays.positions.forEach((p, i) => expect(arrays.originalIds[p]).toBe(arrays.labels[i]));
    const batch = collator.collate(sequences, Rng.fromSeed(3));
    const text = batch.inputs.text as unknown as { ids: tf.Tensor; maskedPositions: tf.Tensor };
    expect(text.ids.shape).toEqual([2, 5]);
    expect([...text.ids.dataSync()]).toEqual([...arrays.ids]);
    expect([...text.maskedPositions.dataSync()]).toEqual([...arrays.positions]);
    expect(batch.labels['mlm']?.y.shape).toEqual([3]);
    tf.dispose([text.ids, text.maskedPositions, batch.inputs.text!.attentionMask, batch.present.text!, batch.labels['mlm']!.y, batch.labels['mlm']!.mask]);
  });

  it('replays an epoch identically from its seed and reshuffles for another seed', () => {
    const many = Array.from({ length: 200 }, (_, i) => [5 + (i % 90), 6 + (i % 80), 7 + (i % 70)]);
    const data = new MlmData(many, vocab, { batchSize: 8, maxLength: 32 });
    const a = [...data.maskedArrays(5)];
    const b = [...data.maskedArrays(5)];
    expect(b).toEqual(a);
    expect([...data.maskedArrays(6)][0]?.ids).not.toEqual(a[0]?.ids);
    const size = data.epochSize(5);
    expect(size.tokens).toBe(a.reduce((n, x) => n + x.tokens, 0));
    expect(size.tokens).toBe(200 * 4 + size.sequences); // each text + its [SEP], one [CLS] per sequence
  });
});
