// Home (issue 17 item 7): the company's delivery health at a glance for
// those who manage webhooks: today's counts across webhooks, each webhook's
// status and what is true about it (failing since…, its last delivery), its
// success rate, p95 latency and attempts over 24 h or 7 d (a switch; a
// sparkline; the webhook's page has the full charts, GET
// /api/v2/webhooks/{id}/stats), and the most
// recent failed attempts across webhooks with links to them. "Events today"
// is the server's count (GET /api/v2/stats/today, since 00:00 UTC); owners
// and admins also see whether alert channels are set, linked to them.
import { useEffect, useState } from 'preact/hooks';
import type { AlertChannel, Attempt, Delivery, EventsToday, Me, Webhook } from './api';
import { api } from './api';
import { outcomeLabel } from './attempt-errors';
import { href } from './router';
import { ErrorBanner, formatTime, Segmented } from './ui';
import { webhookHealth } from './webhooks/states';
import { Sparkline } from './webhooks/stats-charts';
import {
  type WebhookStats,
  countText,
  countsSince,
  latencyText,
  percentText,
  startOfLocalDay,
} from './webhooks/stats-model';

const RECENT_FAILURES = 8;
const REFRESH_MS = 10000;

// The windows Home's per-webhook lines can show.
type HomeWindow = '24h' | '7d';
const HOME_WINDOWS: { value: HomeWindow; label: string }[] = [
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
];

interface Health {
  webhooks: Webhook[];
  last: Record<string, Delivery | null>;
  stats: Record<string, WebhookStats | null>; // 24 h: today's counts
  shown: Record<string, WebhookStats | null>; // the chosen window's, for each webhook's line
  failures: Array<Attempt & { webhook: Webhook }>;
  today: EventsToday | null;
  alerts: AlertChannel[] | null; // null: not readable by this role, or not available
}

async function loadHealth(alerts: boolean, span: HomeWindow): Promise<Health> {
  const [webhooks, today, channels] = await Promise.all([
    api.listWebhooks().then((p) => p.data),
    api.eventsToday().catch(() => null),
    alerts ? api.alertChannels().then((r) => r.data, () => null) : Promise.resolve(null),
  ]);
  const per = await Promise.all(
    webhooks.map(async (w) => {
      const q = new URLSearchParams({ limit: '1' });
      const [last, failures, stats, wide] = await Promise.all([
        api.deliveries(w.id, q).then((p) => p.data[0] ?? null, () => null),
        api.failures(w.id, new URLSearchParams({ limit: String(RECENT_FAILURES) })).then((p) => p.data, () => []),
        api.stats(w.id, '24h').catch(() => null),
        span === '24h' ? Promise.resolve(null) : api.stats(w.id, span).catch(() => null),
      ]);
      return { w, last, failures, stats, shown: span === '24h' ? stats : wide };
    }),
  );
  return {
    webhooks,
    today,
    alerts: channels,
    last: Object.fromEntries(per.map((p) => [p.w.id, p.last])),
    stats: Object.fromEntries(per.map((p) => [p.w.id, p.stats])),
    shown: Object.fromEntries(per.map((p) => [p.w.id, p.shown])),
    failures: per
      .flatMap((p) => p.failures.map((a) => ({ ...a, webhook: p.w })))
      .sort((a, b) => (a.at < b.at ? 1 : -1))
      .slice(0, RECENT_FAILURES),
  };
}

// Today: the events accepted since 00:00 UTC (the server's count), and the
// deliveries across webhooks since local midnight (from the 24 h statistics):
// each success is one event delivered to one webhook.
function Today({ health, now }: { health: Health; now: Date }) {
  const midnight = startOfLocalDay(now);
  const sum = { attempts: 0, succeeded: 0, failed: 0 };
  for (const s of Object.values(health.stats)) {
    if (!s) continue;
    const c = countsSince(s.buckets, s.bucket_seconds, midnight);
    sum.attempts += c.attempts;
    sum.succeeded += c.succeeded;
    sum.failed += c.failed;
  }
  return (
    <dl class="stat-tiles" data-testid="home-today">
      {health.today && (
        <div data-testid="home-events-today">
          <dt>Events today</dt>
          <dd title={`Accepted since ${formatTime(health.today.since)} (00:00 UTC)`}>{countText(health.today.events)}</dd>
        </div>
      )}
      <div>
        <dt>Events delivered today</dt>
        <dd>{countText(sum.succeeded)}</dd>
      </div>
      <div>
        <dt>Failed attempts today</dt>
        <dd>{countText(sum.failed)}</dd>
      </div>
      <div>
        <dt>Success rate today</dt>
        <dd>{percentText(sum.attempts ? sum.succeeded / sum.attempts : null)}</dd>
      </div>
    </dl>
  );
}

function StatsLine({ stats, span }: { stats: WebhookStats | null | undefined; span: HomeWindow }) {
  if (!stats) return null;
  const t = stats.totals;
  const label = HOME_WINDOWS.find((w) => w.value === span)!.label;
  if (t.attempts === 0) return <span class="small muted"> · no attempts in {label}</span>;
  return (
    <span class="small home-stats" data-testid="home-stats">
      {' '}
      · {label}: {percentText(t.success_rate)} of {countText(t.attempts)} attempts succeeded, p95 {latencyText(t.latency_ms.p95)}
      <Sparkline stats={stats} />
    </span>
  );
}

// Whether anyone is told when a webhook fails (owners and admins).
function AlertStatus({ channels }: { channels: AlertChannel[] }) {
  const on = channels.filter((c) => c.enabled);
  const failing = on.filter((c) => c.last_failure_at && (!c.last_success_at || c.last_success_at < c.last_failure_at));
  return (
    <p class="small home-alerts" data-testid="home-alerts">
      <span class={`dot dot-${on.length === 0 ? 'wait' : failing.length ? 'bad' : 'ok'}`} />
      {on.length === 0 ? (
        <>
          No alert channels: nobody is told when a webhook fails. <a href={href.alerts}>Set up alert channels</a>
        </>
      ) : (
        <>
          Alerts go to {on.length === 1 ? '1 channel' : `${on.length} channels`}
          {failing.length > 0 && ` (${failing.length} failing to send)`}. <a href={href.alerts}>Alert channels</a>
        </>
      )}
    </p>
  );
}

export function DeliveryHealth({ alerts = false }: { alerts?: boolean }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [span, setSpan] = useState<HomeWindow>('24h');
  const [shownSpan, setShownSpan] = useState<HomeWindow>('24h');
  useEffect(() => {
    let live = true;
    let timer = 0;
    const tick = async () => {
      try {
        const h = await loadHealth(alerts, span);
        if (live) {
          setHealth(h);
          setShownSpan(span);
          setError(null);
        }
      } catch (e) {
        if (live) setError((e as Error).message);
      }
      if (live) timer = window.setTimeout(tick, REFRESH_MS);
    };
    tick();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [span]);
  const now = new Date();
  return (
    <>
      <ErrorBanner error={error} />
      {health && (
        <section class="card" aria-label="Delivery health">
          <div class="card-title history-title">
            <h3>Delivery health</h3>
            {health.webhooks.length > 0 && (
              <Segmented
                label="Success rate and latency over"
                name="home-window"
                options={HOME_WINDOWS}
                value={span}
                onChange={setSpan}
              />
            )}
          </div>
          {health.webhooks.length > 0 && <Today health={health} now={now} />}
          {health.alerts && <AlertStatus channels={health.alerts} />}
          {health.webhooks.length === 0 ? (
            <p class="muted">
              No webhooks yet. <a href={href.newWebhook}>Add one</a> to send call and WhatsApp events to your endpoint.
            </p>
          ) : (
            <ul class="plain-list health-list">
              {health.webhooks.map((w) => {
                const h = webhookHealth(w, health.last[w.id] ?? null, now);
                return (
                  <li key={w.id} data-testid="home-health">
                    <span class={`dot dot-${h.tone}`} />
                    <a href={href.webhook(w.id)}>{w.name || 'Untitled webhook'}</a> · <strong>{h.label}</strong>
                    {h.detail && <span class="small"> · {h.detail}</span>}
                    <StatsLine stats={health.shown[w.id]} span={shownSpan} />
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
      {health && health.failures.length > 0 && (
        <section class="card" aria-label="Recent failures">
          <div class="card-title">
            <h3>Recent failures</h3>
          </div>
          <table class="table table-stack" aria-label="Recent failures">
            <thead>
              <tr>
                <th>Time</th>
                <th>Webhook</th>
                <th>Event</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {health.failures.map((a) => (
                <tr key={a.id}>
                  <td data-label="Time">{formatTime(a.at)}</td>
                  <td data-label="Webhook">
                    <a href={href.delivery(a.webhook.id, a.delivery_id)}>{a.webhook.name || 'Untitled webhook'}</a>
                  </td>
                  <td data-label="Event">
                    <code>{a.event_type}</code>
                  </td>
                  <td data-label="Outcome">
                    <span class="pill pill-failed">{outcomeLabel(a)}</span> attempt {a.attempt}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

export function showsHealth(me: Me): boolean {
  return me.permissions.manage_webhooks;
}

// Alert channels are the owners' and admins' (issue 16: kManageAlerts).
export function managesAlerts(me: Me): boolean {
  return me.role === 'owner' || me.role === 'admin';
}
