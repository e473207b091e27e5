// What masking needs to know about a tokenizer's vocabulary: the [MASK] id, the special ids that are never masked or
// drawn as random replacements, and which pieces continue a word (for whole-word masking).

/** A vocabulary as the MLM masking sees it. */
export interface MlmVocab {
  /** Number of ids; random replacements are drawn below it. */
  readonly vocabSize: number;
  /** Id of the mask token (`[MASK]` or `<mask>`). */
  readonly maskId: number;
  /** Id of the padding token. */
  readonly padId: number;
  /** Id put before each sequence (`[CLS]`, `<s>`). */
  readonly clsId: number;
  /** Id put after each text (`[SEP]`, `</s>`). */
  readonly sepId: number;
  /** 1 for special ids (padding, [CLS], [SEP], [MASK], [UNK], ...), which are never masked nor drawn at random. */
  readonly special: Uint8Array;
  /** 1 for ids that continue the previous piece's word (WordPiece `##` pieces; byte-level pieces without `Ġ`). */
  readonly continuation: Uint8Array;
  /** The non-special ids, from which random replacements are drawn. */
  readonly ordinary: Int32Array;
}

/** A tokenizer.json's parts MlmVocab reads. */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function idOf(vocab: ReadonlyMap<string, number>, candidates: readonly string[], what: string, source: string): number {
  for (const token of candidates) {
    const id = vocab.get(token);
    if (id !== undefined) return id;
  }
  throw new Error(`tokenizer ${source}: no ${what} token (looked for ${candidates.join(', ')}); masked-language-model pretraining needs one`);
}

/**
 * The MLM view of a Hugging Face tokenizer.json (WordPiece or byte-level BPE): special ids from `added_tokens`
 * marked special, word continuations from the WordPiece `continuing_subword_prefix` (or, for byte-level BPE, pieces
 * that do not start with `Ġ`). `source` names the tokenizer in errors.
 */
export function mlmVocabFromTokenizerJson(json: unknown, source = '(tokenizer.json object)'): MlmVocab {
  if (!isObject(json) || !isObject(json['model']) || !isObject(json['model']['vocab'])) {
    throw new Error(`tokenizer ${source}: expected a tokenizer.json object with model.vocab`);
  }
  const model = json['model'];
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(model['vocab'] as Json)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`tokenizer ${source}: model.vocab["${token}"] is not an id: ${JSON.stringify(id)}`);
    vocab.set(token, id);
  }
  const specialIds: number[] = [];
  for (const entry of Array.isArray(json['added_tokens']) ? json['added_tokens'] : []) {
    if (!isObject(entry) || typeof entry['id'] !== 'number' || typeof entry['content'] !== 'string') continue;
    vocab.set(entry['content'], entry['id']);
    if (entry['special'] === true) specialIds.push(entry['id']);
  }
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const special = new Uint8Array(vocabSize);
  for (const id of specialIds) special[id] = 1;
  const continuation = new Uint8Array(vocabSize);
  const prefix = typeof model['continuing_subword_prefix'] === 'string' ? model['continuing_subword_prefix'] : null;
  const byteLevel = model['type'] === 'BPE' && prefix === null;
  for (const [token, id] of vocab) {
    if (special[id] === 1) continue;
    if (prefix !== null && prefix !== '' ? token.startsWith(prefix) : byteLevel && !token.startsWith('Ġ')) continuation[id] = 1;
  }
  const maskId = idOf(vocab, ['[MASK]', '<mask>'], 'mask', source);
  const ids = {
    maskId,
    padId: idOf(vocab, ['[PAD]', '<pad>'], 'padding', source),
    clsId: idOf(vocab, ['[CLS]', '<s>'], 'start ([CLS])', source),
    sepId: idOf(vocab, ['[SEP]', '</s>'], 'separator ([SEP])', source),
  };
  for (const id of Object.values(ids)) special[id] = 1; // even when added_tokens does not mark them
  const ordinary: number[] = [];
  for (let id = 0; id < vocabSize; id++) if (special[id] === 0) ordinary.push(id);
  if (ordinary.length === 0) throw new Error(`tokenizer ${source}: every id is special; nothing to predict`);
  return { vocabSize, ...ids, special, continuation, ordinary: Int32Array.from(ordinary) };
}
