// The co-training round loop (Blum & Mitchell 1998): two views start from the labelled samples; each round, each
// view's confident predictions on the unlabelled pool become the other view's new training labels, the labelled
// samples leave the pool, and both views train again. Training and prediction are injected, so any model and any
// training loop (e.g. @finmm/trainer's) can be co-trained without this package depending on them.

/** A sample with a class: `id` indexes the caller's data; `label` is a class index. */
export interface CoTrainExample {
  id: number;
  label: number;
}

/** A pseudo-label one view gave the other. */
export interface PseudoLabel extends CoTrainExample {
  /** The view that predicted it. */
  from: string;
  /** The view it trains. */
  to: string;
  /** Predicted probability of `label`. */
  confidence: number;
  /** The round (1-based) it was given in. */
  round: number;
}

/** What `train` is told besides the examples. */
export interface CoTrainStep {
  /** 0 for the start (labelled samples only), then 1..rounds. */
  round: number;
  /** The examples new since the view's previous training (all of them in round 0). */
  added: readonly CoTrainExample[];
}

/** Options of `coTrain`. */
export interface CoTrainOptions {
  /** Names of the two views (e.g. modalities), passed back to `train` and `predict`. */
  views: readonly [string, string];
  /** Samples with true labels; both views start from them. */
  labelled: readonly CoTrainExample[];
  /** Ids of the unlabelled samples: the pool pseudo-labels are drawn from. */
  unlabelled: readonly number[];
  /** Rounds of pseudo-labelling after the initial training (>= 1). */
  rounds: number;
  /** Minimum predicted probability of the chosen class for a prediction to become a label, in [0.5, 1]. */
  confidence: number;
  /** Most pseudo-labels each view gives the other per round, most confident first. */
  perRound: number;
  /**
   * `prior` (default): each round's labels keep the labelled set's class proportions (per-class quotas, at least
   * one per class), so a view cannot flood the other with its majority class. `none`: the most confident overall.
   */
  balance?: 'prior' | 'none';
  /** Trains `view` on its whole current training set (labelled + pseudo-labelled examples). */
  train(view: string, examples: readonly CoTrainExample[], step: CoTrainStep): void | Promise<void>;
  /** Class probabilities of `view` for the samples `ids`: one row of C probabilities per id. */
  predict(view: string, ids: readonly number[]): readonly (readonly number[])[] | Promise<readonly (readonly number[])[]>;
  /** Called after each round's training (round 0 included), e.g. to evaluate the views. */
  onRound?(round: CoTrainRound): void | Promise<void>;
}

/** What one round did. */
export interface CoTrainRound {
  round: number;
  /** Pseudo-labels given, by the view that gave them. */
  given: Record<string, number>;
  /** Training-set size of each view after the round. */
  trainingSize: Record<string, number>;
  /** Unlabelled samples left in the pool. */
  poolLeft: number;
}

/** The outcome of `coTrain`. */
export interface CoTrainResult {
  /** Round 0 (initial training) and every round run. */
  rounds: CoTrainRound[];
  /** Each view's final training set. */
  training: Record<string, CoTrainExample[]>;
  /** Every pseudo-label given, in order. */
  pseudoLabels: PseudoLabel[];
  /** Ids left unlabelled. */
  pool: number[];
  /** Why the loop ended. */
  stopReason: 'rounds' | 'pool-empty' | 'no-confident-predictions';
}

function checkOptions(o: CoTrainOptions): void {
  const [a, b] = o.views;
  if (a === b) throw new Error(`coTrain: the two views must differ, got "${a}" twice`);
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error(`coTrain: "rounds" must be an integer >= 1, got ${o.rounds}`);
  if (!Number.isInteger(o.perRound) || o.perRound < 1) throw new Error(`coTrain: "perRound" must be an integer >= 1, got ${o.perRound}`);
  if (!(o.confidence >= 0.5 && o.confidence <= 1)) throw new Error(`coTrain: "confidence" must be in [0.5, 1], got ${o.confidence}`);
  if (o.labelled.length === 0) throw new Error('coTrain: "labelled" is empty; co-training starts from labelled samples');
  const seen = new Set<number>();
  for (const e of o.labelled) {
    if (!Number.isInteger(e.label) || e.label < 0) throw new Error(`coTrain: labelled sample ${e.id} has label ${e.label}; expected a class index`);
    if (seen.has(e.id)) throw new Error(`coTrain: sample ${e.id} is labelled twice`);
    seen.add(e.id);
  }
  for (const id of o.unlabelled) if (seen.has(id)) throw new Error(`coTrain: sample ${id} is both labelled and unlabelled`);
  if (new Set(o.unlabelled).size !== o.unlabelled.length) throw new Error('coTrain: "unlabelled" lists a sample twice');
}

/** The class and its probability of each prediction row; errors name the view and the sample. */
function decide(view: string, ids: readonly number[], probs: readonly (readonly number[])[]): Array<{ id: number; label: number; confidence: number }> {
  if (probs.length !== ids.length) throw new Error(`coTrain: predict("${view}") returned ${probs.length} rows for ${ids.length} samples`);
  return ids.map((id, i) => {
    const row = probs[i] as readonly number[];
    if (row.length < 2) throw new Error(`coTrain: predict("${view}") gave sample ${id} ${row.length} class probabilities; expected at least 2`);
    let label = 0;
    for (let c = 0; c < row.length; c++) {
      const p = row[c] as number;
      if (!Number.isFinite(p) || p < 0 || p > 1) throw new Error(`coTrain: predict("${view}") gave sample ${id} probability ${p} for class ${c}`);
      if (p > (row[label] as number)) label = c;
    }
    return { id, label, confidence: row[label] as number };
  });
}

/** Class quotas summing to about `total`, proportional to `counts`, at least 1 for every class seen. */
function quotas(counts: readonly number[], total: number): number[] {
  const n = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (c === 0 ? 0 : Math.max(1, Math.round((total * c) / n))));
}

/** The confident predictions to hand over: most confident first (ties by id), within the per-round (class) limits. */
function select(
  decided: ReadonlyArray<{ id: number; label: number; confidence: number }>,
  options: CoTrainOptions,
  classCounts: readonly number[],
): Array<{ id: number; label: number; confidence: number }> {
  const confident = decided.filter((d) => d.confidence >= options.confidence).sort((x, y) => y.confidence - x.confidence || x.id - y.id);
  if ((options.balance ?? 'prior') === 'none') return confident.slice(0, options.perRound);
  const quota = quotas(classCounts, options.perRound);
  const taken = new Array<number>(quota.length).fill(0);
  return confident.filter((d) => {
    if (d.label >= quota.length || (taken[d.label] as number) >= (quota[d.label] as number)) return false;
    taken[d.label] = (taken[d.label] as number) + 1;
    return true;
  });
}

/**
 * Co-trains two views. Round 0 trains both on `labelled`; each round r = 1..rounds: both views predict the pool,
 * view A's confident predictions (at most `perRound`) are added to B's training set and B's to A's, those samples
 * leave the pool, and both views train again. Stops early when the pool is empty or no prediction is confident.
 *
 * ```ts
 * const result = await coTrain({ views: ['text', 'timeseries'], labelled, unlabelled, rounds: 5, confidence: 0.9,
 *   perRound: 50, train: (view, examples) => fitView(view, examples), predict: (view, ids) => probabilities(view, ids) });
 * ```
 */
export async function coTrain(options: CoTrainOptions): Promise<CoTrainResult> {
  checkOptions(options);
  const [a, b] = options.views;
  const other = (v: string): string => (v === a ? b : a);
  const classCounts: number[] = [];
  for (const e of options.labelled) classCounts[e.label] = (classCounts[e.label] ?? 0) + 1;
  for (let c = 0; c < classCounts.length; c++) classCounts[c] ??= 0;
  const training: Record<string, CoTrainExample[]> = { [a]: options.labelled.map((e) => ({ ...e })), [b]: options.labelled.map((e) => ({ ...e })) };
  let pool = [...options.unlabelled];
  const pseudoLabels: PseudoLabel[] = [];
  const rounds: CoTrainRound[] = [];
  const finishRound = async (round: number, given: Record<string, number>): Promise<void> => {
    const record: CoTrainRound = { round, given, trainingSize: { [a]: training[a]?.length ?? 0, [b]: training[b]?.length ?? 0 }, poolLeft: pool.length };
    rounds.push(record);
    await options.onRound?.(record);
  };

  for (const view of options.views) await options.train(view, training[view] as CoTrainExample[], { round: 0, added: training[view] as CoTrainExample[] });
  await finishRound(0, { [a]: 0, [b]: 0 });

  let stopReason: CoTrainResult['stopReason'] = 'rounds';
  for (let round = 1; round <= options.rounds; round++) {
    if (pool.length === 0) {
      stopReason = 'pool-empty';
      break;
    }
    const picks = new Map<string, ReturnType<typeof select>>();
    for (const view of options.views) picks.set(view, select(decide(view, pool, await options.predict(view, pool)), options, classCounts));
    if ([...picks.values()].every((p) => p.length === 0)) {
      stopReason = 'no-confident-predictions';
      break;
    }
    const added: Record<string, CoTrainExample[]> = { [a]: [], [b]: [] };
    const used = new Set<number>();
    for (const from of options.views) {
      const to = other(from);
      for (const p of picks.get(from) ?? []) {
        added[to]?.push({ id: p.id, label: p.label });
        pseudoLabels.push({ ...p, from, to, round });
        used.add(p.id);
      }
    }
    pool = pool.filter((id) => !used.has(id));
    for (const view of options.views) {
      const newOnes = added[view] as CoTrainExample[];
      (training[view] as CoTrainExample[]).push(...newOnes);
      await options.train(view, training[view] as CoTrainExample[], { round, added: newOnes });
    }
    await finishRound(round, { [a]: picks.get(a)?.length ?? 0, [b]: picks.get(b)?.length ?? 0 });
  }
  return { rounds, training, pseudoLabels, pool, stopReason };
}
