// A small canvas line chart for the load test: throughput on the left axis, p50 and p99
// latency on the right, time since start along the bottom. Two axes and three lines do
// not justify a charting library, and the page must work offline.

export const SERIES = Object.freeze({
  rps: { color: '#2563eb', label: 'Throughput' },
  p50: { color: '#7c3aed', label: 'p50 latency' },
  p99: { color: '#db2777', label: 'p99 latency' },
});

const WINDOW_SECONDS = 60;
const MIN_SPAN_SECONDS = 10;
const PAD = { top: 30, right: 54, bottom: 28, left: 54 };
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const NICE_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest "round" number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above v. */
export function niceCeiling(v) {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return NICE_STEPS.find((s) => s * power >= v * 0.9999) * power;
}

/** An axis maximum whose quarters are round numbers, so the four grid lines read cleanly. */
function axisMax(v) {
  return 4 * niceCeiling(v / 4);
}

function fitToDisplay(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width: width / ratio, height: height / ratio };
}

function axisText(ctx, text, [x, y], align) {
  ctx.textAlign = align;
  ctx.fillText(text, x, y);
}

function drawGrid(ctx, area, scales) {
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i += 1) {
    const y = area.bottom - (i / 4) * area.h;
    ctx.strokeStyle = i === 0 ? '#94a3b8' : '#e2e8f0';
    ctx.beginPath();
    ctx.moveTo(area.left, Math.round(y) + 0.5);
    ctx.lineTo(area.right, Math.round(y) + 0.5);
    ctx.stroke();
    ctx.fillStyle = SERIES.rps.color;
    axisText(ctx, formatTick((scales.rpsMax * i) / 4), [area.left - 8, y], 'right');
    ctx.fillStyle = SERIES.p99.color;
    axisText(ctx, formatTick((scales.msMax * i) / 4), [area.right + 8, y], 'left');
  }
  ctx.fillStyle = '#64748b';
  ctx.textBaseline = 'top';
  const step = niceCeiling((scales.t1 - scales.t0) / 6);
  for (let t = Math.ceil(scales.t0 / step) * step; t <= scales.t1 + 1e-9; t += step) {
    axisText(ctx, `${formatTick(t)} s`, [scales.x(t), area.bottom + 8], 'center');
  }
  ctx.textBaseline = 'bottom';
  ctx.fillStyle = SERIES.rps.color;
  axisText(ctx, 'req/s', [area.left - 8, area.top - 12], 'right');
  ctx.fillStyle = SERIES.p99.color;
  axisText(ctx, 'ms', [area.right + 8, area.top - 12], 'left');
}

function formatTick(v) {
  if (v >= 1000) return `${Number((v / 1000).toFixed(1))}k`;
  return String(Number(v.toFixed(v < 10 ? 2 : 1)));
}

function drawLine(ctx, points, key, scales) {
  const { color } = SERIES[key];
  const y = key === 'rps' ? scales.yRps : scales.yMs;
  ctx.strokeStyle = color;
  ctx.lineWidth = key === 'rps' ? 2.5 : 2;
  ctx.setLineDash(key === 'p99' ? [6, 4] : []);
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let started = false;
  for (const p of points) {
    if (!Number.isFinite(p[key])) {
      started = false;
      continue;
    }
    const [px, py] = [scales.x(p.t), y(p[key])];
    if (started) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    started = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

function makeScales(points, area) {
  const last = points.length > 0 ? points[points.length - 1].t : 0;
  const t1 = Math.max(MIN_SPAN_SECONDS, last);
  const t0 = Math.max(0, t1 - WINDOW_SECONDS);
  const visible = points.filter((p) => p.t >= t0);
  const rpsMax = axisMax(Math.max(0, ...visible.map((p) => p.rps || 0)));
  const msMax = axisMax(Math.max(0, ...visible.map((p) => (Number.isFinite(p.p99) ? p.p99 : 0))));
  return {
    t0,
    t1,
    rpsMax,
    msMax,
    visible,
    x: (t) => area.left + ((t - t0) / (t1 - t0)) * area.w,
    yRps: (v) => area.bottom - (v / rpsMax) * area.h,
    yMs: (v) => area.bottom - (v / msMax) * area.h,
  };
}

/**
 * Redraws `canvas` from `points` ([{t: seconds since start, rps, p50, p99}], oldest first),
 * showing the last 60 s. With no points it draws empty axes and `emptyText`.
 */
export function drawChart(canvas, points, emptyText = '') {
  const { ctx, width, height } = fitToDisplay(canvas);
  ctx.clearRect(0, 0, width, height);
  const area = { left: PAD.left, top: PAD.top, right: width - PAD.right, bottom: height - PAD.bottom };
  area.w = area.right - area.left;
  area.h = area.bottom - area.top;
  const scales = makeScales(points, area);
  drawGrid(ctx, area, scales);
  if (points.length === 0) {
    ctx.fillStyle = '#64748b';
    ctx.textBaseline = 'middle';
    axisText(ctx, emptyText, [area.left + area.w / 2, area.top + area.h / 2], 'center');
    return;
  }
  for (const key of ['rps', 'p50', 'p99']) drawLine(ctx, scales.visible, key, scales);
}
