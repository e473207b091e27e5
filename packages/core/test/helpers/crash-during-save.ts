// Child process for the model-dir crash test: starts saveModelDir(argv[2]) and kills itself with SIGKILL midway,
// after config.json has been staged and while model.safetensors is being encoded.
import { saveModelDir } from '../../src/model-dir.js';
import type { SafetensorsTensor } from '../../src/safetensors.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-during-save.ts DIR');

const suicidal: SafetensorsTensor = {
  dtype: 'F32',
  shape: [1],
  get data(): Float32Array {
    process.kill(process.pid, 'SIGKILL');
    return new Float32Array(1);
  },
};

await saveModelDir(dir, { config: { version: 'crashed' }, tensors: { w: suicidal } });
