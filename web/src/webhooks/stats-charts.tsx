// A webhook's health charts (issue 17 item 7): attempts (succeeded and failed
// stacked), latency p50/p95 and the status classes over 1 h, 24 h or 7 d, from
// GET /api/v2/webhooks/{id}/stats. Drawn as small inline SVG (no chart
// library); colours are the theme's CSS variables, so dark mode follows. Each
// picture is role="img" with a sentence saying what it shows, and the same
// numbers are a table under "Show as a table" for screen readers and keyboards.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBanner, Segmented } from '../ui';
import {
  STATS_WINDOWS,
  STATUS_CLASSES,
  type StatsWindow,
  type WebhookStats,
  attemptBars,
  axisLabels,
  bucketLabel,
  countText,
  latencyText,
  linePath,
  lonePoints,
  niceMax,
  peakBucket,
  percentText,
  statsSummary,
} from './stats-model';

const W = 600; // the viewBox; the SVG scales to its card
const H = 120;
const REFRESH_MS = 30000;

function Axis({ stats }: { stats: WebhookStats }) {
  const labels = axisLabels(stats);
  return (
    <div class="chart-axis" aria-hidden="true">
      {labels.map((l, i) => (
        <span key={i}>{l}</span>
      ))}
    </div>
  );
}

function AttemptsChart({ stats }: { stats: WebhookStats }) {
  const { bars, max } = attemptBars(stats.buckets, W, H);
  const peak = peakBucket(stats.buckets);
  const label =
    `Attempts per ${stats.bucket_seconds >= 3600 ? 'hour' : stats.bucket_seconds >= 900 ? '15 minutes' : 'minute'}: ` +
    (peak
      ? `at most ${countText(peak.attempts)} (at ${bucketLabel(peak.start, stats.window)}), ${countText(stats.totals.failed)} failed in all.`
      : 'none.');
  return (
    <figure class="chart">
      <figcaption>
        Attempts <span class="legend legend-ok">succeeded</span> <span class="legend legend-bad">failed</span>
        <span class="muted small"> · scale 0–{countText(max)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label} data-testid="chart-attempts">
        <line class="chart-base" x1="0" y1={H} x2={W} y2={H} />
        {bars.map((b, i) => (
          <g key={i}>
            {b.okHeight > 0 && <rect class="bar-ok" x={b.x} y={H - b.okHeight} width={b.width} height={b.okHeight} />}
            {b.failHeight > 0 && (
              <rect class="bar-bad" x={b.x} y={H - b.okHeight - b.failHeight} width={b.width} height={b.failHeight} />
            )}
          </g>
        ))}
      </svg>
      <Axis stats={stats} />
    </figure>
  );
}

function LatencyChart({ stats }: { stats: WebhookStats }) {
  const p50 = stats.buckets.map((b) => b.latency_ms.p50);
  const p95 = stats.buckets.map((b) => b.latency_ms.p95);
  const max = niceMax(Math.max(0, ...p95.map((v) => v ?? 0), ...p50.map((v) => v ?? 0)));
  const step = stats.buckets.length ? W / stats.buckets.length : W;
  const dots = (values: (number | null)[], cls: string) =>
    lonePoints(values).map((i) => (
      <circle key={`${cls}${i}`} class={cls} cx={(i + 0.5) * step} cy={H - (Math.min(values[i]!, max) / max) * H} r="3" />
    ));
  const t = stats.totals.latency_ms;
  const label =
    t.p50 === null
      ? 'Latency: no HTTP answer in this window.'
      : `Latency over the window: p50 ${latencyText(t.p50)}, p95 ${latencyText(t.p95)}; scale 0 to ${latencyText(max)}.`;
  return (
    <figure class="chart">
      <figcaption>
        Latency <span class="legend legend-p50">p50</span> <span class="legend legend-p95">p95</span>
        <span class="muted small"> · scale 0–{latencyText(max)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label} data-testid="chart-latency">
        <line class="chart-base" x1="0" y1={H} x2={W} y2={H} />
        <path class="line-p95" d={linePath(p95, W, H, max)} vector-effect="non-scaling-stroke" />
        <path class="line-p50" d={linePath(p50, W, H, max)} vector-effect="non-scaling-stroke" />
        {dots(p95, 'dot-p95')}
        {dots(p50, 'dot-p50')}
      </svg>
      <Axis stats={stats} />
    </figure>
  );
}

function StatusClasses({ stats }: { stats: WebhookStats }) {
  const classes = stats.totals.status_classes;
  const total = STATUS_CLASSES.reduce((n, c) => n + (classes[c.key] ?? 0), 0);
  const label = total
    ? 'Status classes: ' + STATUS_CLASSES.map((c) => `${c.key} ${countText(classes[c.key] ?? 0)}`).join(', ') + '.'
    : 'Status classes: no attempts.';
  let x = 0;
  return (
    <figure class="chart">
      <figcaption>Status classes</figcaption>
      <svg viewBox={`0 0 ${W} 16`} preserveAspectRatio="none" role="img" aria-label={label} data-testid="chart-classes">
        <rect class="bar-empty" x="0" y="0" width={W} height="16" />
        {total > 0 &&
          STATUS_CLASSES.map((c) => {
            const w = ((classes[c.key] ?? 0) / total) * W;
            const rect = w > 0 && <rect key={c.key} class={`class-${c.key}`} x={x} y="0" width={w} height="16" />;
            x += w;
            return rect;
          })}
      </svg>
      <ul class="class-legend" aria-hidden="true">
        {STATUS_CLASSES.map((c) => (
          <li key={c.key}>
            <span class={`swatch class-${c.key}`} />
            {c.key === 'network' ? 'no answer' : c.key} {countText(classes[c.key] ?? 0)}
          </li>
        ))}
      </ul>
    </figure>
  );
}

// The numbers behind the charts, as a table (only buckets with attempts).
function StatsTable({ stats }: { stats: WebhookStats }) {
  const rows = stats.buckets.filter((b) => b.attempts > 0);
  return (
    <details class="stats-table">
      <summary>Show as a table</summary>
      {rows.length === 0 ? (
        <p class="muted small">No attempts in this window.</p>
      ) : (
        <table class="table" aria-label="Statistics per interval">
          <thead>
            <tr>
              <th>From</th>
              <th>Attempts</th>
              <th>Failed</th>
              <th>p50</th>
              <th>p95</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.start}>
                <td>{bucketLabel(b.start, stats.window)}</td>
                <td>{countText(b.attempts)}</td>
                <td>{countText(b.failed)}</td>
                <td>{latencyText(b.latency_ms.p50)}</td>
                <td>{latencyText(b.latency_ms.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

export function StatsPanel(props: { webhookId: string }) {
  const [span, setSpan] = useState<StatsWindow>('24h');
  const [stats, setStats] = useState<WebhookStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer = 0;
    const load = async () => {
      try {
        const s = await api.stats(props.webhookId, span);
        if (live) {
          setStats(s);
          setError(null);
        }
      } catch (e) {
        if (live) setError((e as Error).message);
      }
      if (live) timer = window.setTimeout(load, REFRESH_MS);
    };
    load();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [props.webhookId, span]);
  const shown = stats && stats.window === span ? stats : null;
  const t = shown?.totals;
  return (
    <section class="card" aria-label="Health statistics">
      <div class="card-title history-title">
        <h3>Health</h3>
        <Segmented
          label="Statistics window"
          name={`stats-window-${props.webhookId}`}
          options={STATS_WINDOWS}
          value={span}
          onChange={setSpan}
        />
      </div>
      <ErrorBanner error={error} />
      {!shown && !error && <p class="muted">Loading…</p>}
      {shown && t && (
        <>
          <p class="sr-only" data-testid="stats-summary">
            {statsSummary(shown)}
          </p>
          <dl class="stat-tiles" data-testid="stat-tiles">
            <div>
              <dt>Attempts</dt>
              <dd>{countText(t.attempts)}</dd>
            </div>
            <div>
              <dt>Success rate</dt>
              <dd>{percentText(t.success_rate)}</dd>
            </div>
            <div>
              <dt>Latency p50</dt>
              <dd>{latencyText(t.latency_ms.p50)}</dd>
            </div>
            <div>
              <dt>Latency p95</dt>
              <dd>{latencyText(t.latency_ms.p95)}</dd>
            </div>
          </dl>
          <div class="charts">
            <AttemptsChart stats={shown} />
            <LatencyChart stats={shown} />
          </div>
          <StatusClasses stats={shown} />
          <StatsTable stats={shown} />
        </>
      )}
    </section>
  );
}

// A small attempts sparkline for Home's list (decorative: the text beside it says the numbers).
export function Sparkline({ stats }: { stats: WebhookStats }) {
  const { bars } = attemptBars(stats.buckets, 96, 20);
  return (
    <svg class="sparkline" viewBox="0 0 96 20" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      {bars.map((b, i) => (
        <g key={i}>
          {b.okHeight > 0 && <rect class="bar-ok" x={b.x} y={20 - b.okHeight} width={b.width} height={b.okHeight} />}
          {b.failHeight > 0 && (
            <rect class="bar-bad" x={b.x} y={20 - b.okHeight - b.failHeight} width={b.width} height={b.failHeight} />
          )}
        </g>
      ))}
    </svg>
  );
}
