// Early stopping on any evaluation metric: patience, minimum improvement, and min or max mode.

/** Early-stopping settings. */
export interface EarlyStoppingConfig {
  /** Metric name from the evaluation, e.g. `loss` or `sentiment.f1_macro`. */
  metric: string;
  /** `min` or `max`; default `min` for names containing loss, mae, rmse, mse or brier, else `max`. */
  mode?: 'min' | 'max';
  /** Evaluations without improvement tolerated before stopping. */
  patience: number;
  /** An improvement must beat the best by more than this. Default 0. */
  minDelta?: number;
}

/** Serialisable state of an EarlyStopping tracker. */
export interface EarlyStoppingState {
  best: number | null;
  bestStep: number | null;
  badEvaluations: number;
  stopped: boolean;
}

/** The mode a metric name implies when none is given. */
export function defaultMode(metric: string): 'min' | 'max' {
  return /loss|mae|rmse|mse|brier/i.test(metric) ? 'min' : 'max';
}

/** Tracks the best value of a metric and says when patience has run out. */
export class EarlyStopping {
  readonly mode: 'min' | 'max';
  private s: EarlyStoppingState = { best: null, bestStep: null, badEvaluations: 0, stopped: false };

  constructor(readonly config: EarlyStoppingConfig) {
    this.mode = config.mode ?? defaultMode(config.metric);
  }

  /**
   * Records an evaluation; returns whether it is a new best. A value improves when it is below (min) or above
   * (max) the best by more than minDelta; after `patience` evaluations in a row without improvement, `stopped` turns true.
   * A missing or NaN metric counts as no improvement.
   */
  update(metrics: Readonly<Record<string, number>>, step: number): boolean {
    const value = metrics[this.config.metric];
    if (value === undefined) throw new Error(`early stopping: metric '${this.config.metric}' is not among the evaluation's (${Object.keys(metrics).join(', ')})`);
    const delta = this.config.minDelta ?? 0;
    const improved = !Number.isNaN(value) && (this.s.best === null || (this.mode === 'min' ? value < this.s.best - delta : value > this.s.best + delta));
    if (improved) {
      this.s = { best: value, bestStep: step, badEvaluations: 0, stopped: false };
    } else {
      this.s.badEvaluations++;
      if (this.s.badEvaluations >= this.config.patience) this.s.stopped = true;
    }
    return improved;
  }

  /** Whether training should stop. */
  get stopped(): boolean {
    return this.s.stopped;
  }

  /** A copy of the state, for checkpoints. */
  state(): EarlyStoppingState {
    return { ...this.s };
  }

  /** Restores a saved state. */
  load(state: EarlyStoppingState): void {
    this.s = { ...state };
  }
}
