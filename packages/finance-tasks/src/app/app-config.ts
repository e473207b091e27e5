// Config validation shared by the apps: the message of a schema issue naming the field, and the `trainer` section
// (nulls removed, fields the app sets per fit refused, the rest checked by the trainer's own schema).
import { parseTrainerConfig } from '@finmm/trainer';

/** The part of a schema issue (zod's) that names what is wrong. */
export interface ConfigIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/** The message of the first schema issue, naming the config field (or the unknown fields) and `source`. */
export function configIssueMessage(error: { issues: readonly ConfigIssue[] }, source: string): string {
  const issue = error.issues[0];
  const at = (issue?.path ?? []).map(String);
  if (issue?.code === 'unrecognized_keys' && issue.keys !== undefined) {
    return `${source}: unknown config field ${issue.keys.map((k) => `"${[...at, k].join('.')}"`).join(', ')}`;
  }
  return `${source}: config field "${at.join('.') || '(root)'}": ${issue?.message ?? 'invalid'}`;
}

/** Trainer fields an app sets itself for each fit. */
export const APP_TRAINER_FIELDS = ['seed', 'runDir', 'progress'] as const;

/**
 * An app config's `trainer` section, checked: null fields removed (`--set trainer.earlyStopping=null` turns one
 * off), the fields the app sets per fit refused, and the rest validated by the trainer's schema; errors name `source`.
 */
export function appTrainerSection(trainer: Record<string, unknown>, source: string): Record<string, unknown> {
  const section = Object.fromEntries(Object.entries(trainer).filter(([, v]) => v !== null));
  for (const field of APP_TRAINER_FIELDS) {
    if (field in section) throw new Error(`${source}: config field "trainer.${field}": set by the app per fit (use "seeds" for seeds)`);
  }
  try {
    parseTrainerConfig({ ...section, seed: 0 });
  } catch (error) {
    throw new Error(`${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return section;
}
