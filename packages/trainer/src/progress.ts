// Progress display: a bar on a terminal (cli-progress, when installed), plain lines otherwise, or nothing.
import { createRequire } from 'node:module';

/** Where progress goes. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** What a progress display shows at a step. */
export interface ProgressUpdate {
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number | null;
  /** Mean training loss since the last update, when known. */
  loss?: number;
  lr: number;
}

/** Receives progress from the trainer. */
export interface ProgressReporter {
  /** Called after every optimizer step (a bar redraws; lines ignore it). */
  step(u: ProgressUpdate): void;
  /** Called at logging steps, with the mean loss since the previous one. */
  update(u: ProgressUpdate): void;
  /** A line to show (evaluation results, checkpoints). */
  note(line: string): void;
  stop(): void;
}

/** The part of cli-progress's SingleBar this module uses. */
interface SingleBarLike {
  start(total: number, start: number, payload?: Record<string, string>): void;
  update(value: number, payload?: Record<string, string>): void;
  setTotal(total: number): void;
  stop(): void;
}
interface CliProgressLike {
  SingleBar: new (options: Record<string, unknown>, preset?: unknown) => SingleBarLike;
  Presets: { shades_classic: unknown };
}

/** cli-progress when it is installed, else null (it is an optional dependency). */
function loadCliProgress(): CliProgressLike | null {
  try {
    return createRequire(import.meta.url)('cli-progress') as CliProgressLike;
  } catch {
    return null;
  }
}

function describe(u: ProgressUpdate): string {
  const loss = u.loss === undefined ? '' : ` loss ${u.loss.toFixed(4)}`;
  const steps = u.totalSteps === null ? `${u.step}` : `${u.step}/${u.totalSteps}`;
  return `epoch ${u.epoch + 1}/${u.epochs} step ${steps}${loss} lr ${u.lr.toExponential(2)}`;
}

class LineProgress implements ProgressReporter {
  constructor(private readonly out: (line: string) => void) {}
  step(): void {}
  update(u: ProgressUpdate): void {
    this.out(describe(u));
  }
  note(line: string): void {
    this.out(line);
  }
  stop(): void {}
}

class BarProgress implements ProgressReporter {
  private started = false;
  private lastLoss: number | undefined;
  constructor(
    private readonly bar: SingleBarLike,
    private readonly stream: ProgressStream,
  ) {}
  step(u: ProgressUpdate): void {
    this.update(u);
  }
  update(u: ProgressUpdate): void {
    if (u.loss !== undefined) this.lastLoss = u.loss;
    const payload = { info: describe(this.lastLoss === undefined ? u : { ...u, loss: this.lastLoss }) };
    if (!this.started) {
      this.bar.start(u.totalSteps ?? u.step + 1, u.step, payload);
      this.started = true;
    }
    if (u.totalSteps === null) this.bar.setTotal(u.step + 1);
    this.bar.update(u.step, payload);
  }
  note(line: string): void {
    this.stream.write(`\n${line}\n`);
  }
  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class SilentProgress implements ProgressReporter {
  step(): void {}
  update(): void {}
  note(): void {}
  stop(): void {}
}

/** Where a progress display writes: process.stderr, or any stream-like object (a fake TTY in tests). */
export interface ProgressStream {
  /** True for a terminal: only then does `auto` draw a bar. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
  write(chunk: string): unknown;
}

/** Options of `createProgress` beyond the mode. */
export interface ProgressOptions {
  /** The stream the bar, notes and (when no `out` is given) lines go to; default process.stderr. */
  stream?: ProgressStream;
}

/**
 * A progress reporter: `auto` draws a bar when the stream (stderr by default) is a TTY and cli-progress is
 * installed, else prints plain lines; `bar` draws a bar on a TTY and falls back to lines elsewhere (a bar cannot
 * be drawn there); `lines` always prints lines; `none` is silent. Lines go to `out`, else to the stream.
 */
export function createProgress(mode: ProgressMode, out?: (line: string) => void, options: ProgressOptions = {}): ProgressReporter {
  if (mode === 'none') return new SilentProgress();
  const stream: ProgressStream = options.stream ?? process.stderr;
  if ((mode === 'bar' || mode === 'auto') && stream.isTTY === true) {
    const lib = loadCliProgress();
    if (lib !== null) {
      return new BarProgress(new lib.SingleBar({ format: '{bar} {percentage}% | {info} | eta {eta_formatted}', stream, hideCursor: true }, lib.Presets.shades_classic), stream);
    }
  }
  return new LineProgress(out ?? ((l) => void stream.write(`${l}\n`)));
}
