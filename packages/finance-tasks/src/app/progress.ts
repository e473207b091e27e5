// Progress over the fits of a run (folds x seeds): a cli-progress bar on a terminal, one line per fit otherwise.
import cliProgress from 'cli-progress';

/** How progress is shown: a bar, plain lines, nothing, or a bar when stderr is a terminal. */
export type RunProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Reports finished units of work and notes. */
export interface RunProgress {
  /** One unit done; `line` is kept in the log (above the bar). */
  tick(line: string): void;
  /** A line to show without advancing. */
  note(line: string): void;
  stop(): void;
}

/** A progress display for `total` units (written to stderr). */
export function createRunProgress(total: number, label: string, mode: RunProgressMode = 'auto'): RunProgress {
  const bar = mode === 'bar' || (mode === 'auto' && process.stderr.isTTY === true);
  if (mode === 'none') return { tick: () => {}, note: () => {}, stop: () => {} };
  if (!bar) {
    let done = 0;
    return {
      tick: (line) => process.stderr.write(`[${++done}/${total}] ${line}\n`),
      note: (line) => process.stderr.write(`${line}\n`),
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: `${label} {bar} {value}/{total} | {eta_formatted} left`, hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const single = multi.create(total, 0);
  return {
    tick: (line) => {
      multi.log(`${line}\n`);
      single.increment();
    },
    note: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}
