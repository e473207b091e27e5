// The TF-IDF vectoriser (scikit-learn's TfidfVectorizer on a small corpus, JSON round trip, errors) and the
// registry-parametrised tests of its linear encoder `text/tfidf`: shapes, gradients, config round trip, padding
// invariance, agreement with the dense product x W + b, feature dropout and no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { Registry, type Encoder, type EncoderOutput, type TextInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { encoderVariablesWithoutGradient } from '../../../tools/test-helpers/gradients.js';
import { exampleCases, rebuildWithCopiedWeights } from '../../../tools/test-helpers/registry.js';
import { charWbNgrams, registerLightTextEncoders, TFIDF_ENCODER_TYPE, TfidfVectorizer, wordNgrams, type SparseRow } from '../src/light/index.js';

const reg = new Registry();
registerLightTextEncoders(reg);

const TRAIN = ['Profit rose 5 % to EUR 10 mn .', 'Sales fell ; profit fell too', 'The board met in Q3 .', 'Net sales rose, a record!'];

// scikit-learn 1.9.1: hstack([TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
// TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), sublinear_tf=True, min_df=2)]) fitted on TRAIN.
const SKLEARN_WORDS = ['10', '10 mn', 'board', 'board met', 'eur', 'eur 10', 'fell', 'fell profit', 'fell too', 'in', 'in q3', 'met', 'met in', 'mn', 'net', 'net sales', 'profit', 'profit fell', 'profit rose', 'q3', 'record', 'rose', 'rose record', 'rose to', 'sales', 'sales fell', 'sales rose', 'the', 'the board', 'to', 'to eur', 'too'];
const C = 0.140975101445;
const SKLEARN_ROW: SparseRow = {
  indices: [6, 16, 17, 21, 24, 26, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 55, 56, 59, 60, 61, 62, 63, 64, 65, 66, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92],
  values: [0.453386397373, 0.357455043342, 0.453386397373, 0.357455043342, 0.357455043342, 0.453386397373, ...Array<number>(37).fill(C), 0.193241417968, ...Array<number>(11).fill(C), 0.093309975173],
};

describe('TfidfVectorizer', () => {
  it("matches scikit-learn's word + char_wb TF-IDF (sublinear tf, smoothed idf, L2 per block) on a small corpus", () => {
    const tfidf = TfidfVectorizer.fit(TRAIN);
    expect(tfidf.blockSizes()).toEqual([32, 62]);
    expect(Array.from({ length: 32 }, (_, i) => tfidf.featureName(i).replace(/^word:/, ''))).toEqual(SKLEARN_WORDS);
    const row = tfidf.transform('Profit fell, sales rose');
    expect(row.indices).toEqual(SKLEARN_ROW.indices);
    row.values.forEach((v, k) => expect(v).toBeCloseTo(SKLEARN_ROW.values[k] as number, 9));
    expect(tfidf.transform('unseen zzz words').values).toEqual([0.5, 0.5, 0.5, 0.5]); // char n-grams seen twice: ' w', 'or', 'rd', 's '
  });

  it("splits words and characters as scikit-learn's analyzers do", () => {
    expect(wordNgrams('net sales rose, a record!', 1, 2)).toEqual(['net', 'sales', 'rose', 'record', 'net sales', 'sales rose', 'rose record']);
    expect(charWbNgrams('a to', 2, 4)).toEqual([' a', 'a ', ' a ', ' t', 'to', 'o ', ' to', 'to ', ' to ']);
  });

  it('keeps only n-grams of at least minDf training texts, and gives unseen n-grams nothing', () => {
    const tfidf = TfidfVectorizer.fit(['aa bb', 'aa cc', 'aa bb dd'], { blocks: [{ analyzer: 'word', min: 1, max: 1, minDf: 2 }], sublinearTf: false, smoothIdf: true, l2: true, lowercase: true });
    expect(tfidf.size).toBe(2);
    expect([0, 1].map((i) => tfidf.featureName(i))).toEqual(['word:aa', 'word:bb']);
    expect(tfidf.transform('zz yy')).toEqual({ indices: [], values: [] });
    const row = tfidf.transform('AA aa bb');
    const [idfA, idfB] = [Math.log(4 / 4) + 1, Math.log(4 / 3) + 1];
    const norm = Math.hypot(2 * idfA, idfB);
    expect(row.indices).toEqual([0, 1]);
    expect(row.values[0]).toBeCloseTo((2 * idfA) / norm, 12);
    expect(row.values[1]).toBeCloseTo(idfB / norm, 12);
  });

  it('saves to JSON and reads back a vectoriser giving identical rows', () => {
    const tfidf = TfidfVectorizer.fit(TRAIN);
    const back = TfidfVectorizer.fromJson(JSON.parse(JSON.stringify(tfidf.toJson())));
    expect(back.size).toBe(tfidf.size);
    for (const text of ['Profit fell, sales rose', 'The board met', 'zz']) expect(back.transform(text)).toEqual(tfidf.transform(text));
  });

  it('names the file and field of a bad saved vectoriser, and refuses to fit nothing', () => {
    const json = TfidfVectorizer.fit(TRAIN).toJson();
    expect(() => TfidfVectorizer.fromJson({ ...json, documents: 0 }, 'model/tfidf.json')).toThrow(/model\/tfidf.json: field "documents"/);
    const vocab = json.vocabularies[0] as { terms: string[]; idf: number[] };
    expect(() => TfidfVectorizer.fromJson({ ...json, vocabularies: [{ terms: vocab.terms, idf: vocab.idf.slice(1) }, json.vocabularies[1]] }, 'x.json')).toThrow(/x.json: field "vocabularies.0": 32 terms but 31 idf values/);
    expect(() => TfidfVectorizer.fit([])).toThrow(/no training texts/);
  });
});

/** Sparse rows `[B, T]` (columns, values; 0 = padding) of rows given as [column, value] pairs, padded to `length`. */
function sparseBatch(rows: Array<Array<[number, number]>>, length: number, padId = 0): TextInput {
  const ids = new Int32Array(rows.length * length).fill(padId);
  const values = new Float32Array(rows.length * length);
  rows.forEach((row, b) => row.forEach(([i, v], t) => ((ids[b * length + t] = i), (values[b * length + t] = v))));
  return { ids: tf.tensor2d(ids, [rows.length, length], 'int32'), attentionMask: tf.tensor2d(values, [rows.length, length]) }; // [B, T], [B, T]
}

const ROWS: Array<Array<[number, number]>> = [
  [[1, 0.5], [3, 0.25], [2, 0.8]],
  [[0, 1]],
  [[4, 0.3], [1, 0.1], [5, 0.6], [2, 0.2]],
];

function dispose(...things: Array<TextInput | EncoderOutput | tf.Tensor>): void {
  for (const t of things) tf.dispose(t instanceof tf.Tensor ? t : (t as unknown as tf.TensorContainerObject));
}

describe.each(exampleCases(reg, [TFIDF_ENCODER_TYPE]))('$name', ({ example }) => {
  it('gives [B, D], sends gradients to every variable, and equals the dense product x W + b', () => {
    const encoder = reg.build('encoder', example) as Encoder<'text'>;
    const vocab = encoder.config()['vocabSize'] as number;
    const input = sparseBatch(ROWS, 4);
    const out = encoder.encode(input, false);
    expect(out.pooled.shape).toEqual([3, encoder.outDim]);
    expect(encoderVariablesWithoutGradient(encoder, input)).toEqual([]);
    expect(encoder.layerGroups().flat().length).toBe(encoder.variables().length);
    const [weight, bias] = encoder.variables() as [tf.Variable, tf.Variable];
    const dense = tf.tidy(() => {
      const x = tf.buffer([3, vocab]);
      ROWS.forEach((row, b) => row.forEach(([i, v]) => x.set(v, b, i)));
      return tf.add(tf.matMul(x.toTensor() as tf.Tensor2D, weight as tf.Tensor2D), bias); // [B, V] x [V, D] -> [B, D]
    });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(dense, out.pooled))).dataSync()[0] as number)).toBeLessThan(1e-6);
    dispose(out, input, dense);
    encoder.dispose();
  });

  it('rebuilds from config() with copied weights to identical outputs, whatever the padding', () => {
    const encoder = reg.build('encoder', example) as Encoder<'text'>;
    const rebuilt = rebuildWithCopiedWeights(reg, 'encoder', encoder) as Encoder<'text'>;
    const tight = sparseBatch(ROWS, 4);
    const padded = sparseBatch(ROWS, 9, 2); // padding points at a real column, with value 0
    const [a, b, c] = [encoder.encode(tight, false), rebuilt.encode(tight, false), rebuilt.encode(padded, false)];
    expect(Array.from(b.pooled.dataSync())).toEqual(Array.from(a.pooled.dataSync()));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(c.pooled, a.pooled))).dataSync()[0] as number)).toBeLessThan(1e-6);
    dispose(a, b, c, tight, padded);
    rebuilt.dispose();
    encoder.dispose();
  });

  it('leaks no tensors over repeated training steps', () => {
    const encoder = reg.build('encoder', example) as Encoder<'text'>;
    const input = sparseBatch(ROWS, 4);
    const optimizer = tf.train.adam(0.01);
    const step = (): void => optimizer.minimize(() => tf.mean(tf.square(encoder.encode(input, true).pooled)) as tf.Scalar, false, encoder.variables())?.dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    dispose(input);
    encoder.dispose();
  });
});

describe('text/tfidf options', () => {
  it('drops features only in training, and fills defaults into config()', () => {
    const encoder = reg.build('encoder', { type: TFIDF_ENCODER_TYPE, featureDropout: 0.5, seed: 3 }, { vocabSize: 6 });
    expect(encoder.config()).toEqual({ type: TFIDF_ENCODER_TYPE, vocabSize: 6, dim: 32, featureDropout: 0.5, initStd: 0.1, seed: 3 });
    const input = sparseBatch(ROWS, 4);
    const [a, b, c] = [encoder.encode(input, false), encoder.encode(input, false), encoder.encode(input, true)];
    expect(Array.from(b.pooled.dataSync())).toEqual(Array.from(a.pooled.dataSync()));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(c.pooled, a.pooled))).dataSync()[0] as number)).toBeGreaterThan(0);
    dispose(a, b, c, input);
    encoder.dispose();
    expect(() => reg.build('encoder', { type: TFIDF_ENCODER_TYPE })).toThrow(/vocabSize/);
  });
});
