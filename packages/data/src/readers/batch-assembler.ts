// Collects converted rows into Arrow RecordBatches of a fixed schema.
import * as arrow from 'apache-arrow';
import { arrowSchemaOf, type NamedSpec } from './column-types.js';

/** Appends rows (one value per spec, null where allowed) and cuts RecordBatches of `batchRows` rows. */
export class BatchAssembler {
  readonly schema: arrow.Schema;
  private readonly builders: arrow.Builder[];
  private rows = 0;

  constructor(specs: readonly NamedSpec[], private readonly batchRows: number) {
    this.schema = arrowSchemaOf(specs);
    this.builders = this.schema.fields.map((f) => arrow.makeBuilder({ type: f.type, nullValues: [null] }));
  }

  /** Appends one row; returns a full batch when `batchRows` rows have been collected. */
  append(values: readonly unknown[]): arrow.RecordBatch | null {
    for (let i = 0; i < this.builders.length; i++) this.builders[i]?.append(values[i]);
    this.rows += 1;
    return this.rows >= this.batchRows ? this.flush() : null;
  }

  /** The rows collected so far as a batch, or null when there are none. */
  flush(): arrow.RecordBatch | null {
    if (this.rows === 0) return null;
    const children = this.builders.map((b) => b.flush());
    const data = arrow.makeData({ type: new arrow.Struct(this.schema.fields), length: this.rows, nullCount: 0, children });
    this.rows = 0;
    return new arrow.RecordBatch(this.schema, data);
  }
}
