// The main job a new user runs: `npm ci && npm run demo`.
// `finmm doctor`, one training step of a small embedding-bag classifier on the active backend, then the credit
// app's quick setting (German Credit, 5 folds) with its metrics beside the logistic-regression baseline.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { assertCanTrainEmbeddings, runDoctor } from '@finmm/core';

const report = await runDoctor();
console.log('== finmm doctor');
for (const line of report.lines) console.log(line);
if (!report.ok) {
  console.error('demo: the native backend is missing (see above)');
  process.exit(1);
}

console.log('\n== one training step of a small model (embedding bag -> dense -> softmax, Adam)');
assertCanTrainEmbeddings('the demo model');
const batch = 32;
const tokens = 16;
const vocab = 1000;
const dim = 32;
const classes = 3;
const ids = tf.randomUniform([batch, tokens], 0, vocab, 'int32');
const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.mod(tf.sum(ids, 1), classes), 'int32'), classes));
const table = tf.variable(tf.randomNormal([vocab, dim], 0, 0.1, 'float32', 1), true, 'embedding');
const w = tf.variable(tf.randomNormal([dim, classes], 0, 0.1, 'float32', 2), true, 'dense.w');
const b = tf.variable(tf.zeros([classes]), true, 'dense.b');
const optimizer = tf.train.adam(1e-2);
const loss = (): tf.Scalar =>
  tf.tidy(() => {
    const embedded = tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [batch, tokens, dim]); // [B, T, D]
    const pooled = tf.mean(embedded, 1); // [B, D]
    const logits = tf.add(tf.matMul(pooled, w), b); // [B, C]
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
const start = performance.now();
const before = optimizer.minimize(loss, true, [table, w, b]);
const ms = performance.now() - start;
const after = loss();
console.log(`backend ${tf.getBackend()}: loss ${before?.dataSync()[0]?.toFixed(4)} -> ${after.dataSync()[0]?.toFixed(4)} after one step (${ms.toFixed(1)} ms)`);
tf.dispose([ids, labels, table, w, b, after]);

console.log('\n== credit app, quick setting (apps/credit/configs/german-credit-quick.yaml)');
const credit = spawnSync(
  process.execPath,
  ['tools/run-ts.mjs', 'apps/credit/src/main.ts', 'train', '--config', 'apps/credit/configs/german-credit-quick.yaml', '--set', 'progress=lines'],
  { stdio: 'inherit' },
);
if (credit.status !== 0) {
  console.error(`demo: the credit app failed (exit ${credit.status ?? credit.signal})`);
  process.exit(1);
}
console.log('\ndemo finished');
