// Config fields every vision encoder shares (input channels, scope, seed) and input checks.
import type { BuildContext, ImageInput, JsonValue } from '@finmm/core';
import { z } from 'zod';

/** Zod fields shared by every registered vision encoder. */
export const commonFields = {
  inputChannels: z.number().int().positive().optional().describe('image channels C; default the build context "imageChannels", else 1 (charts)'),
  outDim: z.number().int().positive().default(64).describe('embedding width D of pooled (and tokens); default 64'),
  scope: z.string().optional().describe('prefix of the variable names; default a unique `<type>#<n>/` per instance'),
  seed: z.number().int().optional().describe('seed of the initial weights; default random'),
};

/** Arguments every vision encoder takes besides its own. */
export interface CommonArgs {
  /** Image channels C; default 1. */
  inputChannels?: number;
  /** Embedding width D; default 64. */
  outDim?: number;
  /** Prefix of the variable names; default a unique `<type>#<n>/`, left out of `config()`. */
  scope?: string;
  /** Seed of the initial weights; default random, left out of `config()`. */
  seed?: number;
}

/** inputChannels of a config: its own, else the context's `imageChannels`, else 1. */
export function resolveChannels(config: { inputChannels?: number | undefined }, context: BuildContext): number {
  const fromContext = context['imageChannels'];
  return config.inputChannels ?? (typeof fromContext === 'number' ? fromContext : 1);
}

/** scope and seed for `config()`, when they were given. */
export function scopeAndSeed(args: CommonArgs): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (args.scope !== undefined) out['scope'] = args.scope;
  if (args.seed !== undefined) out['seed'] = args.seed;
  return out;
}

/** Throws naming `who` unless `value` is an integer >= min. */
export function checkInt(who: string, field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${who}: "${field}" must be an integer >= ${min}, got ${value}`);
}

/** Checks `pixels` is `[B, H, W, C]` with the encoder's channels (and size, when fixed). */
export function checkPixels(who: string, input: ImageInput, channels: number, size: [number, number] | null): void {
  const { pixels } = input;
  if (pixels.rank !== 4) throw new Error(`${who}: input "pixels" must be [B, H, W, C], got shape [${pixels.shape.join(', ')}]`);
  const [, h, w, c] = pixels.shape;
  if (c !== channels) throw new Error(`${who}: input "pixels" has ${c} channels, the encoder was built for inputChannels ${channels}`);
  if (size !== null && (h !== size[0] || w !== size[1])) {
    throw new Error(`${who}: input "pixels" is ${h}x${w}, the encoder was built for ${size[0]}x${size[1]} images (pooling 'flatten' fixes the size)`);
  }
}

/** `args` over `defaults`, where an argument given as undefined keeps the default. */
export function withDefaults<D extends object, A extends object>(defaults: D, args: A): D & A {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(args)) if (value !== undefined) out[key] = value;
  return out as D & A;
}
