// Per-parameter state tensors (moments, momentum buffers) kept as non-trainable variables, saved by name.
import * as tf from '@tensorflow/tfjs';

/** Named state variables of an optimizer, one set of slots per parameter key. */
export class SlotStore {
  private readonly slots = new Map<string, tf.Variable>();

  constructor(private readonly slotNames: readonly string[]) {}

  /** The slot variable `<key>/<slot>`, created as zeros shaped like `like` on first use. */
  get(key: string, slot: string, like: tf.Tensor): tf.Variable {
    const name = `${key}/${slot}`;
    let v = this.slots.get(name);
    if (v === undefined) {
      v = tf.tidy(() => tf.variable(tf.zerosLike(like), false));
      this.slots.set(name, v);
    }
    return v;
  }

  /** Copies of every slot by `<key>/<slot>`. */
  snapshot(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.slots) out[name] = v.clone();
    return out;
  }

  /** Replaces the slots by copies of `tensors` (names `<key>/<slot>`; other names are ignored). */
  load(tensors: ReadonlyMap<string, tf.Tensor>): void {
    this.dispose();
    for (const [name, t] of tensors) {
      const slot = name.slice(name.lastIndexOf('/') + 1);
      if (!this.slotNames.includes(slot)) continue;
      this.slots.set(name, tf.tidy(() => tf.variable(t.clone(), false)));
    }
  }

  /** Frees every slot. */
  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
