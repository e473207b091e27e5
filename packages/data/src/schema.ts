// Dataset schemas: which column feeds which modality, task label, group key or time key.
import { z } from 'zod';

const taskKind = z.enum(['multiclass', 'binary', 'regression']);

/** The role of one column of a dataset table. */
export const columnRoleSchema = z.discriminatedUnion('role', [
  /** Raw text (tokenised later by the text encoder's tokenizer), or a list of texts. */
  z.object({ role: z.literal('text') }),
  /** A column holding a sequence per row: list<float> (one feature) or list<list<float>> ([T, F]). */
  z.object({ role: z.literal('timeseries'), features: z.array(z.string()).optional() }),
  /**
   * A reference resolved against a price table by group key + date: the `window` rows strictly before the date
   * (see `timeseriesRefCollatorFor`); `features` optionally pins the price table's feature columns, in order.
   */
  z.object({
    role: z.literal('timeseries-ref'),
    table: z.string(),
    keyColumn: z.string(),
    dateColumn: z.string(),
    window: z.number().int().positive(),
    features: z.array(z.string()).min(1).optional(),
  }),
  /**
   * An image, as a file path or in-memory pixels. `missing` (paths only): a file that does not exist is an error
   * naming row and path (`error`, the default) or an absent image with presence 0 (`absent`).
   */
  z.object({ role: z.literal('image'), source: z.enum(['path', 'pixels']), missing: z.enum(['error', 'absent']).optional() }),
  z.object({ role: z.literal('numeric') }),
  z.object({ role: z.literal('categorical') }),
  /** The label of a task; classes in index order for classification. */
  z.object({ role: z.literal('label'), task: z.string(), kind: taskKind, classes: z.array(z.string()).optional() }),
  /** Groups rows that belong together (ticker, customer). */
  z.object({ role: z.literal('group') }),
  /** The time of a row (for chronological splits and look-ahead checks). */
  z.object({ role: z.literal('time') }),
  /** A row identifier carried through to predictions. */
  z.object({ role: z.literal('id') }),
]);
export type ColumnRole = z.infer<typeof columnRoleSchema>;

/** A dataset's columns and their roles. */
export const datasetSchemaSchema = z.object({
  name: z.string(),
  columns: z.record(z.string(), columnRoleSchema),
});
export type DatasetSchema = z.infer<typeof datasetSchemaSchema>;

/** Validates a schema given as JSON; the error names the bad field. */
export function parseDatasetSchema(json: unknown, source = 'schema'): DatasetSchema {
  const parsed = datasetSchemaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: field "${(issue?.path ?? []).join('.')}": ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Column names with a given role, in schema order. */
export function columnsWithRole(schema: DatasetSchema, role: ColumnRole['role']): string[] {
  return Object.entries(schema.columns).filter(([, r]) => r.role === role).map(([name]) => name);
}
