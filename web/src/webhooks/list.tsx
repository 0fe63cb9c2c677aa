// APIs & Webhooks → Webhooks: the v2 list with status pills and the last
// delivery, and the tabs (the v1 tab is in v1.tsx).
import { useEffect, useState } from 'preact/hooks';
import type { Delivery, Webhook } from '../api';
import { api } from '../api';
import { href, navigate } from '../router';
import { ErrorBanner, StatusPill, relativeTime } from '../ui';
import { WebhookActions } from './actions';
import { webhookHealth } from './states';

// The product's limit (src/model/limits.h); the server refuses the 11th.
const MAX_WEBHOOKS = 10;
const REFRESH_MS = 5000;

export function WebhooksTabs(props: { tab: 'v2' | 'v1' }) {
  return (
    <div class="tabs" role="tablist">
      <a role="tab" aria-selected={props.tab === 'v2'} href={href.webhooks} class={props.tab === 'v2' ? 'tab active' : 'tab'}>
        Webhooks v2
      </a>
      <a role="tab" aria-selected={props.tab === 'v1'} href={href.webhooksV1} class={props.tab === 'v1' ? 'tab active' : 'tab'}>
        Calling webhooks v1
      </a>
    </div>
  );
}

// The webhook's health line: Failed / Disabled / failing since… before its
// last delivery (webhooks/states.ts).
function Health({ webhook, delivery }: { webhook: Webhook; delivery: Delivery | null | undefined }) {
  if (delivery === undefined && !webhook.failing_since && webhook.status === 'active') return <span class="muted">…</span>;
  const h = webhookHealth(webhook, delivery ?? null, new Date());
  const at = webhook.status === 'active' && !webhook.failing_since && delivery ? relativeTime(delivery.updated_at) : '';
  return (
    <span data-testid="webhook-health">
      <span class={`dot dot-${h.tone}`} />
      {h.label}
      {h.detail && <span class="small"> · {h.detail}</span>} {at && <span class="muted small">{at}</span>}
    </span>
  );
}

export function WebhooksList() {
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [last, setLast] = useState<Record<string, Delivery | null>>({});
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const page = await api.listWebhooks();
      setWebhooks(page.data);
      setError(null);
      // One small request per webhook (at most 10) for its latest delivery.
      const entries = await Promise.all(
        page.data.map(async (w) => {
          const latest = await api
            .deliveries(w.id, new URLSearchParams({ limit: '1' }))
            .then((p) => p.data[0] ?? null)
            .catch(() => null);
          return [w.id, latest] as const;
        }),
      );
      setLast(Object.fromEntries(entries));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // Refreshed while shown: statuses and deliveries change on their own (retries, health).
  useEffect(() => {
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  const replace = (w: Webhook) => setWebhooks((list) => list?.map((x) => (x.id === w.id ? w : x)) ?? null);
  const remove = (id: string) => setWebhooks((list) => list?.filter((x) => x.id !== id) ?? null);
  const atLimit = (webhooks?.length ?? 0) >= MAX_WEBHOOKS;

  return (
    <div class="page">
      <div class="page-header">
        <h1>Webhooks</h1>
        {webhooks && webhooks.length > 0 && (
          <button
            type="button"
            class="primary"
            disabled={atLimit}
            title={atLimit ? `A company can have at most ${MAX_WEBHOOKS} webhooks` : undefined}
            onClick={() => navigate(href.newWebhook)}
          >
            + Add Webhook
          </button>
        )}
      </div>
      <WebhooksTabs tab="v2" />
      <ErrorBanner error={error} />
      {!webhooks && !error && <p class="muted">Loading…</p>}
      {webhooks && webhooks.length === 0 && (
        <div class="card empty">
          <h3>No webhooks yet</h3>
          <p class="muted">Send call and WhatsApp events to your own HTTPS endpoint as they happen.</p>
          <button type="button" class="primary" onClick={() => navigate(href.newWebhook)}>
            Create first Webhook
          </button>
        </div>
      )}
      {webhooks && webhooks.length > 0 && (
        <div class="card table-card">
          <table class="table table-stack" aria-label="Webhooks">
            <thead>
              <tr>
                <th>Name</th>
                <th>Endpoint</th>
                <th>Events</th>
                <th>Status</th>
                <th>Health</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.id} data-webhook-id={w.id}>
                  <td class="cell-title">
                    <a href={href.webhook(w.id)}>{w.name || 'Untitled webhook'}</a>
                  </td>
                  <td data-label="Endpoint" class="mono truncate" title={w.url}>
                    {w.url}
                  </td>
                  <td data-label="Events">{w.events.length}</td>
                  <td data-label="Status">
                    <StatusPill status={w.status} />
                  </td>
                  <td data-label="Health">
                    <Health webhook={w} delivery={last[w.id]} />
                  </td>
                  <td class="cell-actions">
                    <WebhookActions webhook={w} onChanged={replace} onDeleted={() => remove(w.id)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
