// Search (issue 17 item 9): an event id, a delivery id, a call id or a phone
// number across the company's webhooks (GET /api/v2/search), each event with
// links to its deliveries (the webhook page with that delivery open).
import { useEffect, useState } from 'preact/hooks';
import type { SearchHit, Webhook } from './api';
import { api } from './api';
import { href, navigate } from './router';
import { ErrorBanner, formatTime } from './ui';
import { deliveryState } from './webhooks/states';

const MATCHED: Record<SearchHit['matched_by'], string> = {
  event_id: 'Event id',
  delivery_id: 'Delivery id',
  call_id: 'Call id',
  phone_number: 'Phone number',
};

export function SearchPage(props: { q: string }) {
  const [text, setText] = useState(props.q);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!props.q.trim()) return;
    let live = true;
    Promise.all([api.search(props.q), api.listWebhooks().catch(() => ({ data: [] as Webhook[] }))]).then(
      ([found, webhooks]) => {
        if (!live) return;
        setHits(found.data);
        setNames(new Map(webhooks.data.map((w) => [w.id, w.name || 'Untitled webhook'])));
        setError(null);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [props.q]);
  const now = new Date();
  return (
    <div class="page">
      <div class="page-header">
        <h1>Search</h1>
      </div>
      <form
        class="card inline-form search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) navigate(href.search(text.trim()));
        }}
      >
        <label class="grow">
          <span class="label">Event id, call id or phone number</span>
          <input
            type="search"
            value={text}
            placeholder="evt_…, a call id, +91 98…"
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="primary" disabled={!text.trim()}>
          Search
        </button>
      </form>
      <ErrorBanner error={error} />
      {props.q && hits && hits.length === 0 && (
        <p class="muted" role="status">
          Nothing found for “{props.q}”. Phone numbers are looked for in the company's newest 5,000 events.
        </p>
      )}
      {hits && hits.length > 0 && (
        <div class="card table-card">
          <table class="table table-stack" aria-label="Search results">
            <thead>
              <tr>
                <th>Event</th>
                <th>Call</th>
                <th>Received</th>
                <th>Found by</th>
                <th>Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((h) => (
                <tr key={h.event_id}>
                  <td data-label="Event">
                    <div>
                      <code>{h.event_type}</code>
                      <div class="muted small mono break">{h.event_id}</div>
                    </div>
                  </td>
                  <td data-label="Call" class="mono break">
                    {h.call_id ?? '—'}
                  </td>
                  <td data-label="Received">{formatTime(h.created_at)}</td>
                  <td data-label="Found by">{MATCHED[h.matched_by]}</td>
                  <td data-label="Deliveries">
                    {h.deliveries.length === 0 && <span class="muted">No webhook took it</span>}
                    <ul class="plain-list">
                      {h.deliveries.map((d) => {
                        const s = deliveryState(d, now);
                        return (
                          <li key={d.id}>
                            <a href={href.delivery(d.webhook_id, d.id)}>{names.get(d.webhook_id) ?? d.webhook_id}</a>{' '}
                            <span class={`pill pill-tone-${s.tone}`}>{s.label}</span>
                          </li>
                        );
                      })}
                    </ul>
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
