// Interoperability with the reference Python `safetensors` package, both ways:
// fixtures written by tools/python/make_safetensors_fixture.py are read here, and files written here are checked by
// tools/python/check_safetensors.py (run in the .venv-ref/ Python environment, created on first use: minutes).
import { afterAll, describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv } from '../../../tools/python/python-env.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../src/float16.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  writeSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from '../src/safetensors.js';
import { everyDtypeTensors, tempDirs } from './safetensors-helpers.js';

/** The sidecar format shared with the Python tools (I64 as decimal strings, non-finite floats as strings). */
interface ExpectedFile {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; values: JsonValue[]; bits?: number[] }>;
}
type JsonValue = number | string | boolean;

const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const checkScript = fileURLToPath(new URL('../../../tools/python/check_safetensors.py', import.meta.url));
const temp = tempDirs('finmm-safetensors-python-');
afterAll(temp.cleanup);

function jsonFloat(value: number): JsonValue {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value;
}

/** A tensor's values in the sidecar's JSON convention. */
function jsonValues(t: SafetensorsTensor): JsonValue[] {
  switch (t.dtype) {
    case 'F16':
      return [...(t.data as Uint16Array)].map((bits) => jsonFloat(float16BitsToFloat32(bits)));
    case 'BF16':
      return [...(t.data as Uint16Array)].map((bits) => jsonFloat(bfloat16BitsToFloat32(bits)));
    case 'F32':
    case 'F64':
      return [...(t.data as Float32Array | Float64Array)].map(jsonFloat);
    case 'I64':
      return [...(t.data as BigInt64Array)].map((value) => value.toString());
    case 'BOOL':
      return [...(t.data as Uint8Array)].map((value) => value !== 0);
    default:
      return [...(t.data as Int8Array | Int16Array | Int32Array | Uint8Array)];
  }
}

function describeTensors(tensors: Map<string, SafetensorsTensor>): ExpectedFile['tensors'] {
  const described: ExpectedFile['tensors'] = {};
  for (const [name, t] of tensors) {
    described[name] = { dtype: t.dtype, shape: t.shape, values: jsonValues(t) };
    if (t.dtype === 'F16' || t.dtype === 'BF16') described[name].bits = [...(t.data as Uint16Array)];
  }
  return described;
}

describe.each(['python-written', 'python-written-bf16'])('fixture %s.safetensors (written by Python)', (name) => {
  const load = async (): Promise<{ bytes: Uint8Array; expected: ExpectedFile }> => ({
    bytes: new Uint8Array(await readFile(join(fixturesDir, `${name}.safetensors`))),
    expected: JSON.parse(await readFile(join(fixturesDir, `${name}.expected.json`), 'utf8')) as ExpectedFile,
  });

  it('decodes to the values, shapes, dtypes and metadata Python wrote', async () => {
    const { bytes, expected } = await load();
    const decoded = decodeSafetensors(bytes, name);
    expect(decoded.metadata).toEqual(expected.metadata);
    expect([...decoded.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    expect(describeTensors(decoded.tensors)).toEqual(expected.tensors);
  });

  it('re-encodes to the very same bytes', async () => {
    const { bytes } = await load();
    const decoded = decodeSafetensors(bytes, name);
    expect(encodeSafetensors(decoded.tensors, decoded.metadata)).toEqual(bytes);
  });
});

describe('files written by finmm, read by the Python package', () => {
  const runCheck = (python: string, file: string, expected: string, ...flags: string[]) =>
    spawnSync(python, [checkScript, file, expected, ...flags], { encoding: 'utf8' });

  it('match the expected values and the package\'s own byte layout', { timeout: 40 * 60_000 }, async () => {
    const python = ensurePythonVenv();
    const dir = await temp.make();
    const tensors = everyDtypeTensors();
    const metadata = { written_by: 'finmm' }; // one key: Python's own metadata order is random with more
    const file = join(dir, 'finmm-written.safetensors');
    const expectedPath = join(dir, 'finmm-written.expected.json');
    await writeSafetensors(file, tensors, metadata);
    const expected: ExpectedFile = { metadata, tensors: describeTensors(tensors) };
    await writeFile(expectedPath, JSON.stringify(expected));

    const ok = runCheck(python, file, expectedPath, '--byte-identical');
    expect(ok.status, `${ok.stdout}${ok.stderr}`).toBe(0);

    // Negative control: the checker must notice a wrong value.
    const i64 = expected.tensors.i64;
    if (i64) i64.values[0] = '1';
    await writeFile(expectedPath, JSON.stringify(expected));
    const wrong = runCheck(python, file, expectedPath);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('i64[0]: 1099511627776, expected 1');
  });
});
