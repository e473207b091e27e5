// Loads @tensorflow/tfjs-node-gpu on first use, for its image codecs (tf.node.decodeImage / encodePng).
import { createRequire } from 'node:module';

type TfNode = typeof import('@tensorflow/tfjs-node-gpu');

const require = createRequire(import.meta.url);
let loaded: TfNode | null = null;

/** The tfjs-node-gpu module; throws naming `who` when the native backend is not installed. */
export function tfNode(who: string): TfNode {
  if (loaded !== null) return loaded;
  try {
    loaded = require('@tensorflow/tfjs-node-gpu') as TfNode;
    return loaded;
  } catch (error) {
    throw new Error(
      `${who} needs the native backend @tensorflow/tfjs-node-gpu for its PNG/JPEG codecs, which could not be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      { cause: error },
    );
  }
}
