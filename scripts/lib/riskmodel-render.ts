// Text renderings of RiskModel snapshots: a full-screen view for terminals (table, conditions
// and charts of replicas, desired replicas and CPU over time) and one compact line per
// RiskModel for logs and pipes. Pure: the same inputs always give the same string.

import { lastSamples, peak, sparkline } from './chart.js';
import {
  conditionOf, describeScope, isStale, keyOf, SHOWN_CONDITIONS,
  type ConditionView, type History, type HistoryPoint, type RiskModelView, type Snapshot,
} from './riskmodel-view.js';

const COLUMNS = [
  { title: 'NAME', align: 'left' },
  { title: 'MIN', align: 'right' },
  { title: 'MAX', align: 'right' },
  { title: 'REPLICAS', align: 'right' },
  { title: 'READY', align: 'right' },
  { title: 'DESIRED', align: 'right' },
  { title: 'SCALING', align: 'left' },
  { title: 'MODEL', align: 'left' },
] as const;

const CHART_LABEL_WIDTH = 11;
const CHART_VALUE_WIDTH = 14;
const MIN_CHART_WIDTH = 10;

/**
 * The view of a snapshot for a terminal `width` columns wide: a header, a table of
 * RiskModels, and under each its conditions and charts of replicas, desired replicas and
 * CPU drawn from `history` (the newest samples that fit). When `rows` is given and that
 * detailed view would be taller, it switches to one line per RiskModel (status word and a
 * replicas sparkline), so a busy namespace still fits on screen. No line is wider than
 * `width`. Ends without a newline.
 */
export function render(snapshot: Snapshot, history: History, width: number, rows?: number): string {
  const lines = [header(snapshot)];
  if (snapshot.error !== undefined) {
    lines.push(...wordWrap(`! ${snapshot.error}`, width, '  '));
    lines.push(snapshot.models.length > 0 ? '  (last known state shown; retrying)' : '  (retrying)');
  }
  lines.push('');
  if (snapshot.models.length === 0) {
    lines.push(snapshot.error === undefined ? `No RiskModels in ${describeScope(snapshot.scope)}.` : 'No RiskModels seen yet.');
    return fit(lines, width);
  }
  const detailed = [...lines, ...detailedTable(snapshot, history, width)];
  if (rows === undefined || detailed.length <= rows) return fit(detailed, width);
  return fit([...lines, ...denseTable(snapshot, history, width)], width);
}

function detailedTable(snapshot: Snapshot, history: History, width: number): string[] {
  const cells = snapshot.models.map((model) => tableCells(model, snapshot.scope.allNamespaces));
  const widths = columnWidths(COLUMNS, cells);
  const chart = chartLayout(snapshot, history, width);
  return [
    tableLine(COLUMNS.map((column) => column.title), widths, COLUMNS),
    ...snapshot.models.flatMap((model, i) => [
      tableLine(cells[i] ?? [], widths, COLUMNS), ...details(model, history.get(keyOf(model)) ?? [], chart), '',
    ]),
  ];
}

const DENSE_COLUMNS = [...COLUMNS, { title: 'STATUS', align: 'left' }] as const;
const DENSE_CHART_MAX = 30;
const DENSE_CHART_MIN = 8;

// One line a RiskModel; the replicas sparkline takes what width is left, up to DENSE_CHART_MAX.
function denseTable(snapshot: Snapshot, history: History, width: number): string[] {
  const cells = snapshot.models.map((model) => [...tableCells(model, snapshot.scope.allNamespaces), statusWord(model)]);
  const widths = columnWidths(DENSE_COLUMNS, cells);
  const used = widths.reduce((sum, w) => sum + w + 2, 0);
  const longest = Math.max(1, ...snapshot.models.map((model) => history.get(keyOf(model))?.length ?? 0));
  const samples = Math.min(DENSE_CHART_MAX, width - used, Math.max(longest, DENSE_CHART_MIN));
  const chartOf = (model: RiskModelView): string => {
    if (samples < DENSE_CHART_MIN) return '';
    const replicas = lastSamples((history.get(keyOf(model)) ?? []).map((point) => point.replicas), samples);
    return sparkline(replicas, peak(replicas, model.maxReplicas ?? 1));
  };
  const chartTitle = samples < DENSE_CHART_MIN ? '' : 'HISTORY';
  return [
    `${tableLine(DENSE_COLUMNS.map((column) => column.title), widths, DENSE_COLUMNS).padEnd(used)}${chartTitle}`.trimEnd(),
    ...snapshot.models.map((model, i) => `${tableLine(cells[i] ?? [], widths, DENSE_COLUMNS).padEnd(used)}${chartOf(model)}`.trimEnd()),
  ];
}

// One word for a RiskModel's state, worst first: Degraded, then not Ready, then Ready.
function statusWord(model: RiskModelView): string {
  if (model.conditions.length === 0 && model.observedGeneration === undefined) return 'no status';
  const degraded = conditionOf(model, 'Degraded');
  if (degraded?.status === 'True') return `Degraded/${degraded.reason ?? '?'}`;
  const ready = conditionOf(model, 'Ready');
  if (ready?.status === 'True') return 'Ready';
  return `NotReady/${ready?.reason ?? '?'}`;
}

/**
 * One line per RiskModel (or one line for a failed list), for output that is not a
 * terminal: time, namespace/name, every number and condition, the model version.
 */
export function renderCompact(snapshot: Snapshot): string[] {
  const time = `${snapshot.takenAt.toISOString().slice(0, 19)}Z`;
  if (snapshot.error !== undefined) return [`${time} error: ${snapshot.error}`];
  if (snapshot.models.length === 0) return [`${time} no RiskModels in ${describeScope(snapshot.scope)}`];
  return snapshot.models.map((model) => [
    time,
    keyOf(model),
    `min=${num(model.minReplicas)}`,
    `max=${num(model.maxReplicas)}`,
    `replicas=${num(model.replicas)}`,
    `ready=${num(model.readyReplicas)}`,
    `desired=${num(model.desiredReplicas)}`,
    `cpu=${cpu(model)}`,
    ...(model.scaling === undefined ? [] : [`scaling=${JSON.stringify(model.scaling)}`]),
    ...SHOWN_CONDITIONS.map((type) => compactCondition(type, conditionOf(model, type))),
    `model=${model.modelVersion ?? '-'}`,
    ...(isStale(model) ? ['stale'] : []),
    ...problemOf(model).map((problem) => `${problem.type.toLowerCase()}=${JSON.stringify(problem.message)}`),
  ].join(' '));
}

function header(snapshot: Snapshot): string {
  const found = snapshot.models.length === 1 ? '1 RiskModel' : `${snapshot.models.length} RiskModels`;
  const count = snapshot.error !== undefined && snapshot.models.length === 0 ? '' : ` · ${found}`;
  return `RiskModels · ${describeScope(snapshot.scope)}${count} · ${clock(snapshot.takenAt)}`;
}

function tableCells(model: RiskModelView, withNamespace: boolean): string[] {
  return [
    withNamespace ? keyOf(model) : model.name,
    num(model.minReplicas),
    num(model.maxReplicas),
    num(model.replicas),
    num(model.readyReplicas),
    num(model.desiredReplicas),
    // Each metric's reading/target; an operator from before status.autoscaling covered the CPU
    // short form gives only the CPU figures.
    scaling(model),
    model.modelVersion ?? '-',
  ];
}

interface Column {
  title: string;
  align: 'left' | 'right';
}

function columnWidths(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): number[] {
  return columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => (row[i] ?? '').length)));
}

function tableLine(cells: readonly string[], widths: readonly number[], columns: readonly Column[]): string {
  return cells.map((cell, i) => {
    const width = widths[i] ?? cell.length;
    return columns[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
  }).join('  ').trimEnd();
}

function details(model: RiskModelView, points: readonly HistoryPoint[], chart: ChartLayout): string[] {
  if (model.conditions.length === 0 && model.observedGeneration === undefined) {
    return ['  no status yet: the operator has not reconciled this RiskModel (is it running?)'];
  }
  const described = SHOWN_CONDITIONS.map((type) => describeCondition(type, conditionOf(model, type)));
  const lines = wrap(described, '  ', chart.width);
  for (const problem of problemOf(model)) lines.push(...wordWrap(`  ${problem.type}: ${problem.message}`, chart.width, '    '));
  if (isStale(model)) {
    lines.push(`  status is for generation ${model.observedGeneration}, spec is at ${model.generation}: the operator has not caught up`);
  }
  return [...lines, ...charts(model, chart, points)];
}

// Joins parts with three spaces, starting a new indented line rather than cutting a part off.
function wrap(parts: readonly string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const candidate = line === '' ? `${indent}${part}` : `${line}   ${part}`;
    if (line !== '' && candidate.length > width) {
      lines.push(line);
      line = `${indent}${part}`;
    } else {
      line = candidate;
    }
  }
  return line === '' ? lines : [...lines, line];
}

interface ChartLayout {
  /** Terminal width. */
  width: number;
  /** Samples a chart shows: as many as the longest history has, up to what fits. */
  samples: number;
}

function chartLayout(snapshot: Snapshot, history: History, width: number): ChartLayout {
  const fits = width - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH;
  const longest = Math.max(1, ...snapshot.models.map((model) => history.get(keyOf(model))?.length ?? 0));
  return { width, samples: fits < MIN_CHART_WIDTH ? 0 : Math.min(fits, longest) };
}

function charts(model: RiskModelView, chart: ChartLayout, points: readonly HistoryPoint[]): string[] {
  if (chart.samples === 0) return [];
  const replicas = lastSamples(points.map((point) => point.replicas), chart.samples);
  const desired = lastSamples(points.map((point) => point.desired), chart.samples);
  const load = lastSamples(points.map((point) => point.cpu), chart.samples);
  // One scale for replicas and desired so the two rows compare at a glance.
  const replicaScale = peak([...replicas, ...desired], model.maxReplicas ?? 1);
  const cpuScale = peak(load, Math.max(100, model.targetCPU ?? 0));
  return [
    chartLine('replicas', sparkline(replicas, replicaScale), `${num(model.replicas)} of max ${num(model.maxReplicas)}`),
    chartLine('desired', sparkline(desired, replicaScale), num(model.desiredReplicas)),
    chartLine('cpu', sparkline(load, cpuScale), cpu(model)),
  ];
}

// Breaks a message at spaces so no part of it is cut off; a word longer than a line is cut by fit().
function wordWrap(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (line.trim() !== '' && candidate.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  return [...lines, line];
}

function chartLine(label: string, chart: string, value: string): string {
  return `  ${label.padEnd(CHART_LABEL_WIDTH - 2)}${chart} ${value}`;
}

function describeCondition(type: string, condition: ConditionView | undefined): string {
  if (condition === undefined) return `${type}=?`;
  return condition.reason === undefined ? `${type}=${condition.status}` : `${type}=${condition.status} (${condition.reason})`;
}

function compactCondition(type: string, condition: ConditionView | undefined): string {
  if (condition === undefined) return `${type}=?`;
  return condition.reason === undefined ? `${type}=${condition.status}` : `${type}=${condition.status}(${condition.reason})`;
}

// The message explaining what is wrong: Degraded's when degraded, else Ready's when not ready.
function problemOf(model: RiskModelView): Array<{ type: string; message: string }> {
  const degraded = conditionOf(model, 'Degraded');
  if (degraded?.status === 'True' && degraded.message !== undefined) return [{ type: 'Degraded', message: degraded.message }];
  const ready = conditionOf(model, 'Ready');
  if (ready !== undefined && ready.status !== 'True' && ready.message !== undefined) return [{ type: 'Ready', message: ready.message }];
  return [];
}

function cpu(model: RiskModelView): string {
  const current = model.currentCPU === undefined ? '-' : `${model.currentCPU}%`;
  const target = model.targetCPU === undefined ? '-' : `${model.targetCPU}%`;
  return `${current}/${target}`;
}

/** What the HPA scales on, as status.autoscaling.summary says it; without it, the CPU reading in the same form, or `-`. */
function scaling(model: RiskModelView): string {
  if (model.scaling !== undefined) return model.scaling;
  return model.currentCPU === undefined ? '-' : `CPU ${model.currentCPU}/${model.targetCPU ?? '?'}%`;
}

function num(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}

function clock(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

function fit(lines: readonly string[], width: number): string {
  const max = Math.max(1, Math.floor(width));
  return lines.map((line) => ([...line].length > max ? `${[...line].slice(0, max - 1).join('')}…` : line)).join('\n');
}
