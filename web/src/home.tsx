// Home (issue 17 item 7, in part): the company's delivery health at a glance
// for those who manage webhooks: each webhook's status and what is true about
// it (failing since…, its last delivery), and the most recent failed attempts
// across webhooks with links to them. Charts of success rate and latency come
// with the health statistics API (GET /api/v2/webhooks/{id}/stats), not on
// this server yet.
import { useEffect, useState } from 'preact/hooks';
import type { Attempt, Delivery, Me, Webhook } from './api';
import { api } from './api';
import { outcomeLabel } from './attempt-errors';
import { href } from './router';
import { ErrorBanner, formatTime } from './ui';
import { webhookHealth } from './webhooks/states';

const RECENT_FAILURES = 8;
const REFRESH_MS = 10000;

interface Health {
  webhooks: Webhook[];
  last: Record<string, Delivery | null>;
  failures: Array<Attempt & { webhook: Webhook }>;
}

async function loadHealth(): Promise<Health> {
  const webhooks = (await api.listWebhooks()).data;
  const per = await Promise.all(
    webhooks.map(async (w) => {
      const q = new URLSearchParams({ limit: '1' });
      const [last, failures] = await Promise.all([
        api.deliveries(w.id, q).then((p) => p.data[0] ?? null, () => null),
        api.failures(w.id, new URLSearchParams({ limit: String(RECENT_FAILURES) })).then((p) => p.data, () => []),
      ]);
      return { w, last, failures };
    }),
  );
  return {
    webhooks,
    last: Object.fromEntries(per.map((p) => [p.w.id, p.last])),
    failures: per
      .flatMap((p) => p.failures.map((a) => ({ ...a, webhook: p.w })))
      .sort((a, b) => (a.at < b.at ? 1 : -1))
      .slice(0, RECENT_FAILURES),
  };
}

export function DeliveryHealth() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer = 0;
    const tick = async () => {
      try {
        const h = await loadHealth();
        if (live) {
          setHealth(h);
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
  }, []);
  const now = new Date();
  return (
    <>
      <ErrorBanner error={error} />
      {health && (
        <section class="card" aria-label="Delivery health">
          <div class="card-title">
            <h3>Delivery health</h3>
          </div>
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
