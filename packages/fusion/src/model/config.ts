// The model config file (JSON or YAML): encoders per modality, the fusion, the tasks with their heads and losses.
// The outer structure is checked here; each component config is checked by its registry schema when built.
import { readFile } from 'node:fs/promises';
import { ConfigError, MODALITIES, type JsonValue, type Modality, type TaskKind } from '@finmm/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The task kinds a model config may name. */
export const TASK_KINDS = ['multiclass', 'binary', 'regression'] as const satisfies readonly TaskKind[];

const component = z.record(z.string(), z.json());

const taskSchema = z.strictObject({
  name: z.string().min(1).describe('task name, the key of its labels and outputs'),
  kind: z.enum(TASK_KINDS),
  classes: z.array(z.string()).min(1).optional().describe('class names (classification) or target names (regression)'),
  outDim: z.number().int().positive().optional().describe('outputs; default from kind and classes'),
  loss: z.union([z.string(), component]).describe("loss config, e.g. { type: 'loss/cross-entropy' } (a bare type name is accepted)"),
  weight: z.number().min(0).default(1).describe('fixed weight of the loss; default 1'),
  head: component.default({ type: 'head/linear' }).describe("head config; default { type: 'head/linear' }"),
});

/** Schema of the outer model config. */
export const modelConfigSchema = z.strictObject({
  encoders: z.record(z.string(), component).describe('encoder config per modality: text, timeseries, image, tabular'),
  fusion: component.describe("fusion config, e.g. { type: 'fusion/attention' }"),
  tasks: z.array(taskSchema).min(1),
  modalityDropout: z.number().min(0).lt(1).default(0).describe('probability of dropping each present modality of a training sample; default 0'),
  lossWeighting: z.enum(['fixed', 'uncertainty']).default('fixed').describe("how the trainer combines task losses; default 'fixed'"),
  pretrained: z.array(z.enum(MODALITIES)).default([]).describe('modalities whose encoder weights come from a pretrained checkpoint'),
  seed: z.number().int().optional().describe('seed of components without their own seed, and of modality dropout'),
});

/** One task of a validated model config. */
export interface TaskConfig {
  name: string;
  kind: TaskKind;
  classes?: string[];
  outDim?: number;
  loss: { type: string; [key: string]: JsonValue };
  weight: number;
  head: { type: string; [key: string]: JsonValue };
}

/** A validated model config, defaults filled in. */
export interface ModelConfig {
  encoders: Partial<Record<Modality, { type: string; [key: string]: JsonValue }>>;
  fusion: { type: string; [key: string]: JsonValue };
  tasks: TaskConfig[];
  modalityDropout: number;
  lossWeighting: 'fixed' | 'uncertainty';
  pretrained: Modality[];
  seed?: number;
}

/** `tasks[1].loss`-style path of a zod issue. */
export function fieldPath(parts: ReadonlyArray<PropertyKey>): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function requireType(value: Record<string, JsonValue>, at: string): { type: string; [key: string]: JsonValue } {
  if (typeof value['type'] !== 'string') throw new ConfigError(`config field "${at}.type": expected a component type name`, `${at}.type`);
  return value as { type: string; [key: string]: JsonValue };
}

/** Validates the outer structure of a model config; a ConfigError names the bad field (e.g. `tasks[1].kind`). */
export function parseModelConfig(raw: unknown): ModelConfig {
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldPath(issue?.path ?? []);
    const keys = issue !== undefined && issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new ConfigError(`config field "${field === '' ? '(root)' : field}" of the model: ${issue?.message ?? 'invalid'}${keys}`, field);
  }
  const c = parsed.data;
  const encoders: ModelConfig['encoders'] = {};
  for (const [key, value] of Object.entries(c.encoders)) {
    if (!MODALITIES.includes(key as Modality)) {
      throw new ConfigError(`config field "encoders.${key}": unknown modality; use one of ${MODALITIES.join(', ')}`, `encoders.${key}`);
    }
    encoders[key as Modality] = requireType(value, `encoders.${key}`);
  }
  if (Object.keys(encoders).length === 0) throw new ConfigError('config field "encoders": give at least one modality encoder', 'encoders');
  const names = new Set<string>();
  const tasks = c.tasks.map((t, i): TaskConfig => {
    if (names.has(t.name)) throw new ConfigError(`config field "tasks[${i}].name": task "${t.name}" is listed twice`, `tasks[${i}].name`);
    names.add(t.name);
    const loss = typeof t.loss === 'string' ? { type: t.loss } : requireType(t.loss, `tasks[${i}].loss`);
    return {
      name: t.name,
      kind: t.kind,
      ...(t.classes === undefined ? {} : { classes: t.classes }),
      ...(t.outDim === undefined ? {} : { outDim: t.outDim }),
      loss,
      weight: t.weight,
      head: requireType(t.head, `tasks[${i}].head`),
    };
  });
  return {
    encoders,
    fusion: requireType(c.fusion, 'fusion'),
    tasks,
    modalityDropout: c.modalityDropout,
    lossWeighting: c.lossWeighting,
    pretrained: c.pretrained,
    ...(c.seed === undefined ? {} : { seed: c.seed }),
  };
}

/** The number of outputs of a task: classes for multiclass, 1 for binary, targets for regression; errors name the field. */
export function taskOutDim(task: TaskConfig, index: number): number {
  const at = `tasks[${index}]`;
  const classes = task.classes?.length;
  if (task.kind === 'binary') {
    if (task.outDim !== undefined && task.outDim !== 1) throw new ConfigError(`config field "${at}.outDim": a binary task has 1 output`, `${at}.outDim`);
    if (classes !== undefined && classes !== 2) throw new ConfigError(`config field "${at}.classes": a binary task has 2 classes`, `${at}.classes`);
    return 1;
  }
  if (task.outDim !== undefined && classes !== undefined && task.outDim !== classes) {
    throw new ConfigError(`config field "${at}.outDim": ${task.outDim} outputs but ${classes} classes`, `${at}.outDim`);
  }
  const out = task.outDim ?? classes ?? (task.kind === 'regression' ? 1 : undefined);
  if (out === undefined) throw new ConfigError(`config field "${at}.classes": a multiclass task needs classes or outDim`, `${at}.classes`);
  if (task.kind === 'multiclass' && out < 2) throw new ConfigError(`config field "${at}.outDim": a multiclass task needs at least 2 classes`, `${at}.outDim`);
  return out;
}

/** Parses a model config from JSON or YAML text (format from the file name, else guessed); errors name the field. */
export function parseModelConfigText(text: string, source = 'model config'): ModelConfig {
  const yaml = /\.ya?ml$/i.test(source) || !/^\s*[{[]/.test(text);
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`, '');
  }
  return parseModelConfig(raw);
}

/** Reads and validates a model config file (`.json`, `.yaml` or `.yml`). */
export async function readModelConfigFile(path: string): Promise<ModelConfig> {
  return parseModelConfigText(await readFile(path, 'utf8'), path);
}
