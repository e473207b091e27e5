// Config fields every time-series encoder shares (input width, variable scope, seed) and their resolution.
import { ConfigError, type BuildContext, type JsonValue } from '@finmm/core';
import { z } from 'zod';

/** Zod fields shared by every registered time-series encoder. */
export const commonFields = {
  inputDim: z.number().int().positive().optional().describe('features per step F; default: the build context "features"'),
  scope: z.string().optional().describe('prefix of the variable names; default: a unique `<type>#<n>/` per instance'),
  seed: z.number().int().optional().describe('seed of the initial weights; default: random'),
};

/** Arguments every time-series encoder takes besides its own. */
export interface CommonArgs {
  /** Features per step F. Required. */
  inputDim: number;
  /** Prefix of the variable names; default a unique `<type>#<n>/`, left out of `config()`. */
  scope?: string;
  /** Seed of the initial weights; default random, left out of `config()`. */
  seed?: number;
}

/** The inputDim of a config: its own, else the build context's `features`; a ConfigError naming `inputDim` if neither. */
export function resolveInputDim(config: { inputDim?: number | undefined }, context: BuildContext, type: string): number {
  if (config.inputDim !== undefined) return config.inputDim;
  const fromContext = context['features'];
  if (typeof fromContext === 'number' && Number.isInteger(fromContext) && fromContext > 0) return fromContext;
  throw new ConfigError(`config field "inputDim" of encoder '${type}': required when the build context has no "features" count`, 'inputDim');
}

/** The common part of `config()`: inputDim, plus scope and seed when they were given. */
export function commonConfig(args: CommonArgs): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { inputDim: args.inputDim };
  if (args.scope !== undefined) out['scope'] = args.scope;
  if (args.seed !== undefined) out['seed'] = args.seed;
  return out;
}

/** Throws naming `who` and `field` unless `value` is an integer >= `min`. */
export function checkInt(who: string, field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${who}: "${field}" must be an integer >= ${min}, got ${value}`);
}

/** Throws naming `who` and `field` unless `value` is a rate in [0, 1). */
export function checkRate(who: string, field: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new Error(`${who}: "${field}" must be in [0, 1), got ${value}`);
}

/** `args` over `defaults`, where an argument given as undefined keeps the default. */
export function withDefaults<D extends object, A extends object>(defaults: D, args: A): D & A {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(args)) if (value !== undefined) out[key] = value;
  return out as D & A;
}
