// Reads, from a tokenizer.json's post-processor, the special-token ids put around a single sequence.

/** Ids added before and after the tokens of one text (e.g. `[CLS]` and `[SEP]`). */
export interface SpecialTemplate {
  prefix: number[];
  suffix: number[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `[token, id]` of BertProcessing / RobertaProcessing. */
function tokenId(value: unknown, what: string): number {
  if (Array.isArray(value) && typeof value[1] === 'number') return value[1];
  throw new Error(`post_processor.${what} must be [token, id]`);
}

function fromTemplate(pp: Json): SpecialTemplate {
  const single = pp['single'];
  const specials = isObject(pp['special_tokens']) ? pp['special_tokens'] : {};
  if (!Array.isArray(single)) throw new Error('post_processor.single must be a list');
  const out: SpecialTemplate = { prefix: [], suffix: [] };
  let seenSequence = false;
  for (const piece of single) {
    if (isObject(piece) && isObject(piece['Sequence'])) {
      seenSequence = true;
      continue;
    }
    const special = isObject(piece) && isObject(piece['SpecialToken']) ? piece['SpecialToken']['id'] : undefined;
    const entry = typeof special === 'string' ? specials[special] : undefined;
    const ids = isObject(entry) ? entry['ids'] : undefined;
    if (!Array.isArray(ids) || !ids.every((id): id is number => typeof id === 'number')) {
      throw new Error(`post_processor.special_tokens has no ids for ${JSON.stringify(special)}`);
    }
    (seenSequence ? out.suffix : out.prefix).push(...ids);
  }
  if (!seenSequence) throw new Error('post_processor.single has no $A sequence');
  return out;
}

/** The special-token ids a post-processor adds to one text: TemplateProcessing, Bert/RobertaProcessing, Sequence, or none. */
export function specialTemplate(postProcessor: unknown): SpecialTemplate {
  if (postProcessor === null || postProcessor === undefined) return { prefix: [], suffix: [] };
  if (!isObject(postProcessor)) throw new Error('post_processor must be an object or null');
  switch (postProcessor['type']) {
    case 'TemplateProcessing':
      return fromTemplate(postProcessor);
    case 'BertProcessing':
    case 'RobertaProcessing':
      return { prefix: [tokenId(postProcessor['cls'], 'cls')], suffix: [tokenId(postProcessor['sep'], 'sep')] };
    case 'ByteLevel':
      return { prefix: [], suffix: [] };
    case 'Sequence': {
      const parts = Array.isArray(postProcessor['processors']) ? postProcessor['processors'].map(specialTemplate) : [];
      return { prefix: parts.flatMap((p) => p.prefix), suffix: parts.flatMap((p) => p.suffix) };
    }
    default:
      throw new Error(`unsupported post_processor type ${JSON.stringify(postProcessor['type'])}`);
  }
}
