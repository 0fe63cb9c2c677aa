// Health statistics of a webhook (GET /api/v2/webhooks/{id}/stats) turned
// into what the charts draw and say: the scales, SVG geometry, the words a
// screen reader hears instead of the picture, and today's counts for Home.
// Pure (no DOM): tested in tests/browser/web_unit_test.mjs.

export type StatsWindow = '1h' | '24h' | '7d';
export const STATS_WINDOWS: { value: StatsWindow; label: string; long: string }[] = [
  { value: '1h', label: '1 h', long: 'the last hour' },
  { value: '24h', label: '24 h', long: 'the last 24 hours' },
  { value: '7d', label: '7 d', long: 'the last 7 days' },
];

export interface StatsLatency {
  p50: number | null;
  p95: number | null;
}

export interface StatsBucket {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  latency_ms: StatsLatency;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network';
export const STATUS_CLASSES: { key: StatusClass; label: string }[] = [
  { key: '2xx', label: '2xx (delivered)' },
  { key: '3xx', label: '3xx (redirect)' },
  { key: '4xx', label: '4xx' },
  { key: '5xx', label: '5xx' },
  { key: 'network', label: 'No answer (timeout, refused, TLS, DNS)' },
];

export interface WebhookStats {
  window: StatsWindow;
  bucket_seconds: number;
  totals: {
    attempts: number;
    succeeded: number;
    failed: number;
    success_rate: number | null;
    status_classes: Record<StatusClass, number>;
    latency_ms: StatsLatency;
  };
  buckets: StatsBucket[];
}

const count = new Intl.NumberFormat('en-US');

export function countText(n: number): string {
  return count.format(n);
}

// "97.3 %", "100 %", or "—" without attempts.
export function percentText(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  const p = rate * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

// "0.4 ms", "40 ms", "1.2 s", or "—".
export function latencyText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
}

// The smallest 1, 2 or 5 × 10^k at or above `value` (at least 1): a round
// top for an axis.
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export interface Bar {
  x: number;
  width: number;
  okHeight: number; // succeeded, drawn at the bottom
  failHeight: number; // failed, stacked on top
}

// Stacked bars (succeeded below, failed above) filling `width` × `height`.
export function attemptBars(buckets: StatsBucket[], width: number, height: number): { bars: Bar[]; max: number } {
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.attempts)));
  const step = buckets.length ? width / buckets.length : width;
  const gap = step > 4 ? 1 : 0;
  const bars = buckets.map((b, i) => ({
    x: i * step,
    width: Math.max(0.5, step - gap),
    okHeight: (b.succeeded / max) * height,
    failHeight: (b.failed / max) * height,
  }));
  return { bars, max };
}

// An SVG path through the values at the centres of their buckets; a null
// (no answer in that bucket) breaks the line instead of drawing it to zero.
export function linePath(values: (number | null)[], width: number, height: number, max: number): string {
  const step = values.length ? width / values.length : width;
  let path = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (i + 0.5) * step;
    const y = height - (Math.min(v, max) / max) * height;
    path += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
  });
  return path.trim();
}

// Where a lone point (no neighbour to draw a line to) needs a dot.
export function lonePoints(values: (number | null)[]): number[] {
  const has = (i: number) => i >= 0 && i < values.length && values[i] !== null;
  return values.flatMap((_, i) => (has(i) && !has(i - 1) && !has(i + 1) ? [i] : []));
}

// Axis labels under a chart: the first, middle and last buckets' start, as
// local clock time (1h, 24h) or weekday and hour (7d).
export function axisLabels(stats: Pick<WebhookStats, 'window' | 'buckets'>): string[] {
  const b = stats.buckets;
  if (b.length === 0) return [];
  const picks = [b[0], b[Math.floor(b.length / 2)], b[b.length - 1]];
  return picks.map((bucket) => bucketLabel(bucket.start, stats.window));
}

export function bucketLabel(start: string, window: StatsWindow): string {
  const d = new Date(start);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (window !== '7d') return time;
  return `${d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric' })} ${time}`;
}

// What a screen reader hears for the whole window (and what the charts'
// text alternative starts with).
export function statsSummary(stats: WebhookStats): string {
  const t = stats.totals;
  const span = STATS_WINDOWS.find((w) => w.value === stats.window)?.long ?? stats.window;
  if (t.attempts === 0) return `No delivery attempts in ${span}.`;
  const failed = t.failed ? `, ${countText(t.failed)} failed` : '';
  const latency =
    t.latency_ms.p50 === null ? '' : `; latency p50 ${latencyText(t.latency_ms.p50)}, p95 ${latencyText(t.latency_ms.p95)}`;
  return `${countText(t.attempts)} attempts in ${span}, ${percentText(t.success_rate)} succeeded${failed}${latency}.`;
}

// The busiest bucket, for the attempts chart's description.
export function peakBucket(buckets: StatsBucket[]): StatsBucket | null {
  let peak: StatsBucket | null = null;
  for (const b of buckets) if (b.attempts > 0 && (!peak || b.attempts > peak.attempts)) peak = b;
  return peak;
}

// Sums of the buckets that end after `since` (local midnight for "today"):
// a bucket that holds midnight counts whole, so this may include up to one
// bucket (15 min on the 24 h window) from before it.
export function countsSince(
  buckets: StatsBucket[],
  bucketSeconds: number,
  since: Date,
): { attempts: number; succeeded: number; failed: number } {
  const out = { attempts: 0, succeeded: 0, failed: 0 };
  for (const b of buckets) {
    if (new Date(b.start).getTime() + bucketSeconds * 1000 <= since.getTime()) continue;
    out.attempts += b.attempts;
    out.succeeded += b.succeeded;
    out.failed += b.failed;
  }
  return out;
}

export function startOfLocalDay(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}
