// A registry that builds encoders, fusions, task heads and losses from JSON configs validated by zod schemas.
import { z } from 'zod';
import type { ComponentConfig, Encoder, Fusion, JsonValue, Loss, TaskHead } from './contracts.js';

/** What each kind of registered component builds. */
export interface ComponentKinds {
  encoder: Encoder;
  fusion: Fusion;
  head: TaskHead;
  loss: Loss;
}
export type ComponentKind = keyof ComponentKinds;

/** Facts about the data a component is built for (vocabulary size, feature counts, task classes...). */
export type BuildContext = Record<string, JsonValue>;

/** Shape every registered schema must validate: an object with a `type` literal. */
export type ComponentSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

/** One registered component type. */
export interface Registration<K extends ComponentKind, S extends ComponentSchema> {
  kind: K;
  /** Registered name, `<family>/<name>`, e.g. `timeseries/lstm`. */
  type: string;
  /** One-line description shown by listings and errors. */
  description: string;
  /** Validates the config and fills defaults; unknown fields are rejected. */
  schema: S;
  /** Builds the component from a validated config. */
  build(config: z.output<S>, context: BuildContext): ComponentKinds[K];
  /** Small configs the registry tests build and exercise. */
  examples: Array<z.input<S>>;
}

type AnyRegistration = Registration<ComponentKind, ComponentSchema>;

/** Raised when a config names an unknown type or fails its schema; the message names the field. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Dotted path of the bad field within the whole config, e.g. `encoders.text.hidden`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function joinPath(prefix: string, parts: ReadonlyArray<PropertyKey>): string {
  const rest = parts.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/** Registered component types by kind; `build` turns a JSON config into a component. */
export class Registry {
  private readonly entries = new Map<string, AnyRegistration>();

  /** Adds a component type; registering the same type twice is an error. */
  register<K extends ComponentKind, S extends ComponentSchema>(registration: Registration<K, S>): void {
    if (this.entries.has(registration.type)) {
      throw new Error(`component type '${registration.type}' is registered twice`);
    }
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(registration.type)) {
      throw new Error(`component type '${registration.type}' must look like 'family/name' (lowercase, digits, '-')`);
    }
    const shapeType = registration.schema.shape.type;
    if (shapeType.value !== registration.type) {
      throw new Error(`schema of '${registration.type}' has type literal '${String(shapeType.value)}'`);
    }
    this.entries.set(registration.type, registration as unknown as AnyRegistration);
  }

  /** Registered types, optionally of one kind, sorted. */
  types(kind?: ComponentKind): string[] {
    return [...this.entries.values()]
      .filter((e) => kind === undefined || e.kind === kind)
      .map((e) => e.type)
      .sort();
  }

  /** The registration of a type, or undefined. */
  get(type: string): AnyRegistration | undefined {
    return this.entries.get(type);
  }

  /**
   * Validates `config` against the schema of its `type` and returns it with defaults filled in.
   * `at` is where the config sits in a larger file, used in error messages (e.g. `encoders.text`).
   */
  validate<K extends ComponentKind>(kind: K, config: unknown, at = ''): ComponentConfig {
    const where = at === '' ? 'config' : `config field "${at}"`;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ConfigError(`${where}: expected an object with a "type" field, got ${JSON.stringify(config)}`, at);
    }
    const type = (config as Record<string, unknown>)['type'];
    const typeField = joinPath(at, ['type']);
    if (typeof type !== 'string') {
      throw new ConfigError(`config field "${typeField}": expected a ${kind} type name (one of ${this.types(kind).join(', ')})`, typeField);
    }
    const entry = this.entries.get(type);
    if (entry === undefined || entry.kind !== kind) {
      const known = this.types(kind);
      throw new ConfigError(
        `config field "${typeField}": unknown ${kind} type '${type}'; registered ${kind} types: ${known.length > 0 ? known.join(', ') : '(none; import the package that registers them)'}`,
        typeField,
      );
    }
    const parsed = entry.schema.strict().safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = joinPath(at, issue?.path ?? []);
      const keys = issue !== undefined && issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      throw new ConfigError(`config field "${field}" of ${kind} '${type}': ${issue?.message ?? 'invalid'}${keys}`, field);
    }
    return parsed.data as ComponentConfig;
  }

  /** Builds a component of `kind` from its JSON config; throws ConfigError naming the bad field. */
  build<K extends ComponentKind>(kind: K, config: unknown, context: BuildContext = {}, at = ''): ComponentKinds[K] {
    const valid = this.validate(kind, config, at);
    const entry = this.entries.get(valid.type) as AnyRegistration;
    return entry.build(valid as never, context) as ComponentKinds[K];
  }
}

/** The process-wide registry that finmm packages register their components in. */
export const registry = new Registry();
