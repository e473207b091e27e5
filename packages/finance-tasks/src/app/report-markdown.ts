// Readable Markdown of evaluation reports: metrics, the classification report and confusion matrix at each
// threshold, and the curves' data as small tables.
import { formatClassificationReport } from '@finmm/trainer';
import type { BinaryReport } from './binary-report.js';

/** A Markdown table from a header and rows of cells. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const fmt = (x: number | null, digits = 4): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** Every k-th element and the last, to show a long curve in a short table. */
function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = Math.ceil(items.length / max);
  const kept = items.filter((_, i) => i % step === 0);
  if (kept[kept.length - 1] !== items[items.length - 1]) kept.push(items[items.length - 1] as T);
  return kept;
}

/** The report as Markdown under a `##` title. */
export function binaryReportMarkdown(report: BinaryReport, title: string): string {
  const [neg, pos] = report.classes;
  const m = report.metrics;
  const parts: string[] = [
    `## ${title}`,
    '',
    `${report.n} samples, ${report.positives} ${pos} (positive class), ${report.n - report.positives} ${neg}.`,
    '',
    markdownTable(['metric', 'value'], [
      ['ROC-AUC', fmt(m.roc_auc)],
      ['KS', fmt(m.ks)],
      ['Gini', fmt(m.gini)],
      ['PR-AUC', fmt(m.pr_auc)],
      ['Brier', fmt(m.brier)],
      ['log loss', fmt(m.log_loss)],
    ]),
  ];
  for (const [name, t] of Object.entries(report.thresholds)) {
    const c = t.report.confusion;
    parts.push(
      '',
      `### Threshold "${name}": P(${pos}) >= ${fmt(t.threshold)} (${t.source})`,
      '',
      ...(t.cost === null ? [] : [`Expected cost per applicant: **${fmt(t.cost)}**`, '']),
      '```',
      formatClassificationReport(t.report, 3),
      '```',
      '',
      markdownTable(['actual \\ predicted', neg, pos], [
        [neg, c[0]?.[0] ?? 0, c[0]?.[1] ?? 0],
        [pos, c[1]?.[0] ?? 0, c[1]?.[1] ?? 0],
      ]),
    );
  }
  const roc = report.curves.roc;
  const rocRows = thin(roc.fpr.map((f, i) => [fmt(roc.thresholds[i] ?? null, 3), fmt(f, 3), fmt(roc.tpr[i] ?? null, 3)]), 12);
  parts.push('', '### ROC curve (every point is in the JSON report)', '', markdownTable(['threshold', 'FPR', 'TPR'], rocRows));
  parts.push(
    '',
    '### Calibration',
    '',
    markdownTable(
      ['score bin', 'count', 'mean score', `observed ${pos} rate`],
      report.curves.calibration.map((b) => [`${b.from.toFixed(1)}–${b.to.toFixed(1)}`, b.count, fmt(b.meanScore, 3), fmt(b.positiveRate, 3)]),
    ),
  );
  if (report.curves.cost.length > 0) {
    const rows = report.curves.cost.filter((_, i) => i % 10 === 0).map((p) => [p.threshold.toFixed(2), fmt(p.cost)]);
    parts.push('', '### Expected cost against threshold', '', markdownTable(['threshold', 'cost per applicant'], rows));
  }
  return `${parts.join('\n')}\n`;
}
