// Builds Arrow columns directly from typed arrays and strings (much faster than vectorFromArray's builders).
import * as arrow from 'apache-arrow';

/** Utf8 data of non-null strings, encoded into one buffer. */
export function utf8Data(strings: readonly string[]): arrow.Data<arrow.Utf8> {
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    total += Buffer.byteLength(strings[i] as string, 'utf8');
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < strings.length; i++) bytes.write(strings[i] as string, offsets[i] as number, 'utf8');
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, total);
  return arrow.makeData({ type: new arrow.Utf8(), length: strings.length, nullCount: 0, valueOffsets: offsets, data });
}

/** List data of non-null lists: row i holds child items offsets[i]..offsets[i + 1]. */
export function listData<T extends arrow.DataType>(child: arrow.Data<T>, offsets: Int32Array): arrow.Data<arrow.List<T>> {
  const type = new arrow.List(new arrow.Field('item', child.type, false));
  return arrow.makeData({ type, length: offsets.length - 1, nullCount: 0, valueOffsets: offsets, child });
}

/** Offsets (length n + 1, starting at 0) of n consecutive runs of the given lengths. */
export function offsetsOf(lengths: ArrayLike<number>): Int32Array {
  const offsets = new Int32Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) offsets[i + 1] = (offsets[i] as number) + (lengths[i] as number);
  return offsets;
}
