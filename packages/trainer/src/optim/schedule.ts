// Learning-rate schedules: the factor each optimizer step multiplies every group's base learning rate by.

/** A schedule as a JSON config. */
export type ScheduleConfig =
  | { type: 'constant'; warmupSteps?: number }
  | { type: 'linear'; warmupSteps?: number; warmupRatio?: number; minFactor?: number }
  | { type: 'cosine'; warmupSteps?: number; warmupRatio?: number; minFactor?: number }
  | { type: 'slanted-triangular'; cutFrac?: number; ratio?: number };

/** Maps a 0-based optimizer step to a learning-rate factor. */
export type Schedule = (step: number) => number;

function warmupSteps(config: { warmupSteps?: number; warmupRatio?: number }, totalSteps: number): number {
  if (config.warmupSteps !== undefined && config.warmupRatio !== undefined) throw new Error('give warmupSteps or warmupRatio, not both');
  return config.warmupSteps ?? Math.floor((config.warmupRatio ?? 0) * totalSteps);
}

/**
 * Builds a schedule over `totalSteps` optimizer steps. Warmup (constant, linear, cosine) rises linearly as
 * `(step + 1) / warmup` so that the first step does not have learning rate 0; linear and cosine then decay from 1 at
 * the end of warmup to `minFactor` (default 0) at `totalSteps`. Slanted triangular is Howard & Ruder's (ULMFiT):
 * `cut = floor(T cutFrac)`, `p = t / cut` before the cut and `1 - (t - cut) / (cut (1 / cutFrac - 1))` after,
 * factor `(1 + p (ratio - 1)) / ratio` (defaults cutFrac 0.1, ratio 32).
 */
export function buildSchedule(config: ScheduleConfig, totalSteps: number | null): Schedule {
  if (config.type !== 'constant' && (totalSteps === null || totalSteps < 1)) {
    throw new Error(`schedule '${config.type}' needs the total number of steps: give maxSteps or batchesPerEpoch`);
  }
  const total = totalSteps ?? 0;
  switch (config.type) {
    case 'constant': {
      const warmup = config.warmupSteps ?? 0;
      return (step) => (step < warmup ? (step + 1) / warmup : 1);
    }
    case 'linear':
    case 'cosine': {
      const warmup = warmupSteps(config, total);
      const floor = config.minFactor ?? 0;
      const cosine = config.type === 'cosine';
      return (step) => {
        if (step < warmup) return (step + 1) / warmup;
        const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
        const shape = cosine ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return floor + (1 - floor) * shape;
      };
    }
    case 'slanted-triangular': {
      const cutFrac = config.cutFrac ?? 0.1;
      const ratio = config.ratio ?? 32;
      const cut = Math.max(1, Math.floor(total * cutFrac));
      return (step) => {
        const p = step < cut ? step / cut : Math.max(0, 1 - (step - cut) / (cut * (1 / cutFrac - 1)));
        return (1 + p * (ratio - 1)) / ratio;
      };
    }
  }
}
