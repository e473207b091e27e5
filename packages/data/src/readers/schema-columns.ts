// Declared reader columns derived from a dataset schema's roles, so type errors name the line.
import type { DatasetSchema } from '../schema.js';
import type { ColumnSpec, Columns } from './column-types.js';

/**
 * Reader columns for the schema roles with one obvious type (numeric -> float64, text/categorical/group/id ->
 * string, time -> date, regression label -> float64, class label -> string); other roles are left out.
 */
export function columnsFromSchema(schema: DatasetSchema, nullable: readonly string[] = []): Columns {
  const out: Columns = {};
  for (const [name, role] of Object.entries(schema.columns)) {
    let spec: ColumnSpec | null;
    switch (role.role) {
      case 'numeric':
        spec = { type: 'float64' };
        break;
      case 'text':
      case 'categorical':
      case 'group':
      case 'id':
        spec = { type: 'string' };
        break;
      case 'time':
        spec = { type: 'date' };
        break;
      case 'label':
        spec = { type: role.kind === 'regression' ? 'float64' : 'string' };
        break;
      default:
        spec = null;
    }
    if (spec !== null) out[name] = { ...spec, nullable: nullable.includes(name) };
  }
  return out;
}
