// buildModel: turns a model config into a FusedModel by building each component through the registry.
import {
  ConfigError,
  MODALITIES,
  registry as globalRegistry,
  type BuildContext,
  type Component,
  type ComponentConfig,
  type Encoder,
  type Modality,
  type Registry,
  type TaskHead,
} from '@finmm/core';
import { isViewFusion } from '../fusions/late.js';
import { parseModelConfig, taskOutDim, type ModelConfig, type TaskConfig } from './config.js';
import { FusedModel, type ModelTask } from './fused-model.js';

/** Facts the model's components are built with besides the config. */
export interface ModelBuildContext {
  /** The registry to build from; default core's process-wide registry. */
  registry?: Registry;
  /** Build context of each modality's encoder, e.g. `{ text: { vocabSize: 30522 }, tabular: preprocessor.layout() }`. */
  encoders?: Partial<Record<Modality, BuildContext>>;
}

/** Keys a fusion gets from the model (left out of the model config when they match). */
const FUSION_CONTEXT_KEYS = ['modalities', 'inputDims'] as const;
/** Keys a head gets from the model (left out of the model config when they match). */
const HEAD_CONTEXT_KEYS = ['task', 'kind', 'inDim', 'outDim'] as const;
/** Seed offset between the heads of one task under late fusion. */
const VIEW_SEED_STRIDE = 7919;

/** Gives a config the next seed when its schema has a `seed` field and the config none. */
class SeedSource {
  private given = 0;
  constructor(private readonly base: number | undefined) {}

  fill<C extends ComponentConfig>(registry: Registry, config: C): C {
    const schemaShape = registry.get(config.type)?.schema.shape as Record<string, unknown> | undefined;
    if (this.base === undefined || config['seed'] !== undefined || schemaShape?.['seed'] === undefined) return config;
    this.given += 1;
    return { ...config, seed: this.base + 101 * this.given };
  }
}

function withoutContext(config: ComponentConfig, context: BuildContext, keys: readonly string[]): ComponentConfig {
  const out: ComponentConfig = { ...config };
  for (const k of keys) if (k in out && JSON.stringify(out[k]) === JSON.stringify(context[k])) delete out[k];
  return out;
}

/**
 * Builds a core Model from a config (validated first; a ConfigError names the bad field, e.g. `encoders.text.type`
 * or `tasks[1].loss`). Encoders, fusion, heads and losses come from the registry by their `type`.
 */
export function buildModel(config: unknown, context: ModelBuildContext = {}): FusedModel {
  const parsed = parseModelConfig(config);
  const registry = context.registry ?? globalRegistry;
  const seeds = new SeedSource(parsed.seed);
  const built: Component[] = [];
  try {
    const modalities = MODALITIES.filter((m) => parsed.encoders[m] !== undefined);
    const encoders = modalities.map((m): [Modality, Encoder] => {
      const cfg = seeds.fill(registry, parsed.encoders[m] as ComponentConfig);
      const encoder = registry.build('encoder', cfg, context.encoders?.[m] ?? {}, `encoders.${m}`);
      built.push(encoder);
      if (encoder.modality !== m) {
        throw new ConfigError(`config field "encoders.${m}.type": '${cfg.type}' encodes ${encoder.modality}, not ${m}`, `encoders.${m}.type`);
      }
      return [m, encoder];
    });
    const fusionContext: BuildContext = {
      modalities: [...modalities],
      inputDims: Object.fromEntries(encoders.map(([m, e]) => [m, e.outDim])),
    };
    const fusion = registry.build('fusion', seeds.fill(registry, parsed.fusion), fusionContext, 'fusion');
    built.push(fusion);
    const tasks = parsed.tasks.map((task, i) => buildTask(registry, task, i, fusion, seeds, built));
    const normalised: ModelConfig = {
      ...parsed,
      encoders: Object.fromEntries(encoders.map(([m, e]) => [m, e.config()])),
      fusion: withoutContext(fusion.config(), fusionContext, FUSION_CONTEXT_KEYS),
      tasks: tasks.map((t) => t.config),
      pretrained: modalities.filter((m) => parsed.pretrained.includes(m)),
    };
    return new FusedModel({ encoders, fusion, tasks: tasks.map((t) => t.task), config: normalised });
  } catch (error) {
    for (const c of built) c.dispose();
    throw error;
  }
}

function buildTask(
  registry: Registry,
  task: TaskConfig,
  index: number,
  fusion: FusedModel['fusion'],
  seeds: SeedSource,
  built: Component[],
): { task: ModelTask; config: TaskConfig } {
  const outDim = taskOutDim(task, index);
  const at = `tasks[${index}]`;
  const lossConfig = registry.validate('loss', task.loss, `${at}.loss`);
  const loss = registry.build('loss', lossConfig, { kind: task.kind, outDim }, `${at}.loss`);
  const views = isViewFusion(fusion) ? fusion.modalities.length : 1;
  const headContext: BuildContext = { task: task.name, kind: task.kind, inDim: isViewFusion(fusion) ? fusion.viewDim : fusion.outDim, outDim };
  const headConfig = seeds.fill(registry, task.head as ComponentConfig);
  const heads: TaskHead[] = [];
  for (let k = 0; k < views; k++) {
    const seed = headConfig['seed'];
    const cfg = k > 0 && typeof seed === 'number' ? { ...headConfig, seed: seed + k * VIEW_SEED_STRIDE } : headConfig;
    const head = registry.build('head', cfg, headContext, `${at}.head`);
    built.push(head);
    if (head.outDim !== outDim || head.task !== task.name || head.kind !== task.kind) {
      throw new ConfigError(`config field "${at}.head": the head predicts ${head.outDim} outputs of ${head.kind} task "${head.task}", expected ${outDim} of ${task.kind} "${task.name}"`, `${at}.head`);
    }
    heads.push(head);
  }
  const spec = { name: task.name, kind: task.kind, ...(task.classes === undefined ? {} : { classes: [...task.classes] }), outDim, loss, weight: task.weight };
  const config: TaskConfig = {
    name: task.name,
    kind: task.kind,
    ...(task.classes === undefined ? {} : { classes: [...task.classes] }),
    outDim,
    loss: lossConfig as TaskConfig['loss'],
    weight: task.weight,
    head: withoutContext((heads[0] as TaskHead).config(), headContext, HEAD_CONTEXT_KEYS) as TaskConfig['head'],
  };
  return { task: { spec, heads }, config };
}

