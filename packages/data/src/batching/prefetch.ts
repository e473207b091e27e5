// Wraps an async iterator so the next values are prepared while the consumer works on the current one.

/**
 * Prefetches `depth` values ahead of the consumer. Each value is prepared in a macrotask after the previous one,
 * so it runs whenever the consumer awaits (e.g. a training step's `await loss.data()`); JS has one thread, so a
 * consumer that never yields gets no overlap. Values handed out belong to the consumer; values prepared but
 * never handed out (after `break`, `return()` or an error) are passed to `dispose`.
 */
export function prefetch<T>(source: AsyncIterator<T>, options: { depth?: number; dispose?: (value: T) => void } = {}): AsyncIterableIterator<T> {
  const depth = options.depth ?? 1;
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`prefetch: depth must be an integer >= 0, got ${depth}`);
  const ahead: Array<Promise<IteratorResult<T>>> = [];
  let closed = false;

  const pull = (): void => {
    const previous = ahead[ahead.length - 1] ?? Promise.resolve();
    const next = previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => source.next());
    next.catch(() => undefined); // awaited later; keeps an early failure from being reported as unhandled
    ahead.push(next);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const pending of ahead.splice(0)) {
      try {
        const result = await pending;
        if (result.done !== true) options.dispose?.(result.value);
      } catch {
        // the consumer never asked for this value; its error is moot
      }
    }
    await source.return?.();
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      if (closed) return { done: true, value: undefined };
      while (ahead.length < 1 + depth) pull();
      const head = ahead.shift() as Promise<IteratorResult<T>>;
      let result: IteratorResult<T>;
      try {
        result = await head;
      } catch (error) {
        await close();
        throw error;
      }
      if (result.done === true) await close();
      else while (ahead.length < depth) pull();
      return result;
    },
    async return(): Promise<IteratorResult<T>> {
      await close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
