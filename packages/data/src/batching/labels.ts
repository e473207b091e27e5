// Task labels from a schema's label columns: class indices or regression targets, with mask 0 where null.
import type { TaskKind, TaskLabels } from '@finmm/core';
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../preprocessing/bundle.js';
import { columnsWithRole, type DatasetSchema } from '../schema.js';
import type { CellValue } from '../table-access.js';

/** Builds one task's labels for a batch. */
export interface LabelBuilder {
  task: string;
  kind: TaskKind;
  column: string;
  /** `y` and `mask` for the samples' values; `rows` name the table rows in errors. */
  build(values: readonly CellValue[], rows: readonly number[]): TaskLabels;
}

function classIndex(value: CellValue, classes: readonly string[] | undefined, kind: TaskKind, where: () => string): number {
  if (classes !== undefined) {
    const i = classes.indexOf(String(value));
    if (i < 0) throw new Error(`${where()}: label ${JSON.stringify(value)} is not one of the classes ${JSON.stringify(classes)}`);
    return i;
  }
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || (kind === 'binary' && n > 1)) {
    throw new Error(`${where()}: label ${JSON.stringify(value)} is not a class index (give the schema's classes)`);
  }
  return n;
}

/** Label builders for every `label` column of the schema; class lists come from the preprocessing or the schema. */
export function labelBuilders(schema: DatasetSchema, preprocessing?: Preprocessing): LabelBuilder[] {
  return columnsWithRole(schema, 'label').map((column) => {
    const role = schema.columns[column];
    if (role?.role !== 'label') throw new Error(`unreachable: ${column} is not a label`);
    const classes = preprocessing?.labelClasses[role.task] ?? role.classes;
    return {
      task: role.task,
      kind: role.kind,
      column,
      build(values, rows) {
        const size = values.length;
        const mask = new Float32Array(size);
        const where = (b: number) => (): string => `task "${role.task}", row ${rows[b] ?? b}, column "${column}"`;
        if (role.kind !== 'regression') {
          const y = new Int32Array(size);
          values.forEach((v, b) => {
            if (v === null) return;
            y[b] = classIndex(v, classes, role.kind, where(b));
            mask[b] = 1;
          });
          return { y: tf.tensor1d(y, 'int32'), mask: tf.tensor1d(mask, 'float32') }; // [B]
        }
        const width = values.find((v) => v !== null);
        const k = Array.isArray(width) ? width.length : 1;
        const y = new Float32Array(size * k); // [B] or [B, K]
        values.forEach((v, b) => {
          if (v === null) return;
          const targets = Array.isArray(v) ? v : [v];
          if (targets.length !== k || (!Array.isArray(width) && Array.isArray(v))) {
            throw new Error(`${where(b)()}: expected ${k} regression targets, got ${JSON.stringify(v)}`);
          }
          targets.forEach((t, j) => {
            if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error(`${where(b)()}: target ${JSON.stringify(t)} is not a finite number`);
            y[b * k + j] = t;
          });
          mask[b] = 1;
        });
        const yTensor = Array.isArray(width) ? tf.tensor2d(y, [size, k], 'float32') : tf.tensor1d(y, 'float32'); // [B, K] or [B]
        return { y: yTensor, mask: tf.tensor1d(mask, 'float32') };
      },
    };
  });
}
