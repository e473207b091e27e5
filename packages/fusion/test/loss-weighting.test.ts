// A fused model tells the trainer how its task losses combine (Model.lossWeighting), from its config.
import { describe, expect, it } from 'vitest';
import { buildModel, parseModelConfig } from '../src/index.js';
import { testRegistry, twoViewConfig } from './helpers.js';

const registry = testRegistry();

describe('FusedModel.lossWeighting', () => {
  it('reports the config’s lossWeighting (fixed by default) and keeps it through config()', () => {
    const fixed = buildModel(twoViewConfig({ type: 'fusion/concat', hidden: [4], outDim: 4 }), { registry });
    expect(fixed.lossWeighting()).toBe('fixed');
    const learned = buildModel(twoViewConfig({ type: 'fusion/concat', hidden: [4], outDim: 4 }, { lossWeighting: 'uncertainty' }), { registry });
    expect(learned.lossWeighting()).toBe('uncertainty');
    expect(parseModelConfig(learned.config()).lossWeighting).toBe('uncertainty');
    expect(() => parseModelConfig({ ...twoViewConfig({ type: 'fusion/concat' }), lossWeighting: 'learned' })).toThrow(/config field "lossWeighting"/);
    fixed.dispose();
    learned.dispose();
  });
});
