// A webhook's failure log (filters, and an inspect view of one attempt with
// its payload, request headers and response) and its delivery log. Both
// refresh on their own while shown, so new attempts appear without a reload.
import { useEffect, useState } from 'preact/hooks';
import type { Attempt, AttemptDetail, Delivery, EventGroup, NamedValue } from '../api';
import { api } from '../api';
import { ErrorBanner, Modal, formatTime, prettyJson } from '../ui';

const REFRESH_MS = 3000;

// Loads with `fetcher` now, whenever `deps` change, and every REFRESH_MS.
function usePolling<T>(fetcher: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer = 0;
    const tick = async () => {
      try {
        const value = await fetcher();
        if (live) {
          setData(value);
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
  }, deps);
  return { data, error };
}

function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function statusText(a: { status_code: number | null; error: string | null }): string {
  if (a.error && a.error !== 'http_status') return a.status_code ? `${a.status_code} (${a.error})` : a.error;
  return a.status_code ? String(a.status_code) : '—';
}

export function FailureLogs(props: { webhookId: string; groups: EventGroup[] }) {
  const [eventType, setEventType] = useState('');
  const [status, setStatus] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [inspecting, setInspecting] = useState<string | null>(null);

  const query = new URLSearchParams({ limit: '100' });
  if (eventType) query.set('event_type', eventType);
  if (status.trim()) query.set('status', status.trim());
  if (toIso(since)) query.set('since', toIso(since));
  if (toIso(until)) query.set('until', toIso(until));
  const key = query.toString();
  const { data, error } = usePolling(() => api.failures(props.webhookId, query), [props.webhookId, key]);

  return (
    <div>
      <div class="filters" role="group" aria-label="Failure filters">
        <label>
          <span class="label">Event type</span>
          <select aria-label="Filter by event type" value={eventType} onChange={(e) => setEventType((e.target as HTMLSelectElement).value)}>
            <option value="">All events</option>
            {props.groups.flatMap((g) =>
              g.events.map((ev) => (
                <option key={ev.type} value={ev.type}>
                  {ev.type}
                </option>
              )),
            )}
          </select>
        </label>
        <label>
          <span class="label">Status</span>
          <input
            aria-label="Filter by status"
            list="failure-status-options"
            placeholder="500, timeout, tls…"
            value={status}
            onInput={(e) => setStatus((e.target as HTMLInputElement).value)}
          />
          <datalist id="failure-status-options">
            {['timeout', 'connect', 'tls', 'dns', 'redirect', 'refused', 'http_status', '500', '502', '503', '404'].map(
              (s) => (
                <option key={s} value={s} />
              ),
            )}
          </datalist>
        </label>
        <label>
          <span class="label">From</span>
          <input type="datetime-local" value={since} onChange={(e) => setSince((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <span class="label">To</span>
          <input type="datetime-local" value={until} onChange={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <ErrorBanner error={error} />
      {data && data.data.length === 0 && <p class="muted empty-row">No failed attempts.</p>}
      {data && data.data.length > 0 && (
        <table class="table" aria-label="Failed attempts">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Attempt</th>
              <th>Status</th>
              <th>Latency</th>
              <th aria-label="Inspect" />
            </tr>
          </thead>
          <tbody>
            {data.data.map((a: Attempt) => (
              <tr key={a.id}>
                <td>{formatTime(a.at)}</td>
                <td>
                  <code>{a.event_type}</code>
                  <div class="muted small mono">{a.event_id}</div>
                </td>
                <td>#{a.attempt}</td>
                <td>
                  <span class="pill pill-failed">{statusText(a)}</span>
                </td>
                <td>{Math.round(a.latency_ms)} ms</td>
                <td class="cell-actions">
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={`Inspect attempt ${a.attempt} of ${a.event_id}`}
                    title="Inspect"
                    onClick={() => setInspecting(a.id)}
                  >
                    <EyeIcon />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {inspecting && (
        <InspectAttempt webhookId={props.webhookId} attemptId={inspecting} onClose={() => setInspecting(null)} />
      )}
    </div>
  );
}

function EyeIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}

function HeadersTable({ headers, label }: { headers: NamedValue[]; label: string }) {
  if (!headers.length) return <p class="muted small">None recorded.</p>;
  return (
    <table class="table compact" aria-label={label}>
      <tbody>
        {headers.map((h, i) => (
          <tr key={i}>
            <th class="mono">{h.name}</th>
            <td class="mono break">{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function InspectAttempt(props: { webhookId: string; attemptId: string; onClose: () => void }) {
  const [detail, setDetail] = useState<AttemptDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.failure(props.webhookId, props.attemptId).then(setDetail, (e: Error) => setError(e.message));
  }, [props.attemptId]);
  return (
    <Modal title="Failed attempt" onClose={props.onClose} wide>
      <ErrorBanner error={error} />
      {!detail && !error && <p class="muted">Loading…</p>}
      {detail && (
        <div class="inspect">
          <dl class="facts">
            <dt>Event</dt>
            <dd>
              <code>{detail.event_type}</code> <span class="mono small">{detail.event_id}</span>
            </dd>
            <dt>Attempt</dt>
            <dd>#{detail.attempt}</dd>
            <dt>Time</dt>
            <dd>{formatTime(detail.at)}</dd>
            <dt>Status</dt>
            <dd>
              {statusText(detail)}
              {detail.error_message && <span class="muted"> — {detail.error_message}</span>}
            </dd>
            <dt>Latency</dt>
            <dd>{Math.round(detail.latency_ms)} ms</dd>
            <dt>URL</dt>
            <dd class="mono break">{detail.request.url}</dd>
          </dl>
          <h3>JSON payload</h3>
          <pre class="code" data-testid="inspect-payload">
            {prettyJson(detail.request.body)}
          </pre>
          <h3>Request headers</h3>
          <HeadersTable headers={detail.request.headers} label="Request headers" />
          <h3>Response</h3>
          <HeadersTable headers={detail.response.headers} label="Response headers" />
          <pre class="code" data-testid="inspect-response">
            {detail.response.body ? prettyJson(detail.response.body) : '(empty body)'}
          </pre>
        </div>
      )}
    </Modal>
  );
}

export function DeliveryLogs(props: { webhookId: string }) {
  const [state, setState] = useState('');
  const query = new URLSearchParams({ limit: '100' });
  if (state) query.set('state', state);
  const key = query.toString();
  const { data, error } = usePolling(() => api.deliveries(props.webhookId, query), [props.webhookId, key]);
  return (
    <div>
      <div class="filters" role="group" aria-label="Delivery filters">
        <label>
          <span class="label">State</span>
          <select aria-label="Filter by state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="delivered">Delivered</option>
            <option value="exhausted">Exhausted</option>
            <option value="dropped">Dropped</option>
          </select>
        </label>
      </div>
      <ErrorBanner error={error} />
      {data && data.data.length === 0 && <p class="muted empty-row">No deliveries.</p>}
      {data && data.data.length > 0 && (
        <table class="table" aria-label="Deliveries">
          <thead>
            <tr>
              <th>Event</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Last status</th>
              <th>Next attempt</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((d: Delivery) => (
              <tr key={d.id}>
                <td>
                  <code>{d.event_type}</code>
                  <div class="muted small mono">{d.event_id}</div>
                </td>
                <td>
                  <span class={`pill pill-state-${d.state}`}>{d.state}</span>
                </td>
                <td>{d.attempts}</td>
                <td>{d.last_status_code ?? d.last_error ?? '—'}</td>
                <td>{formatTime(d.next_attempt_at)}</td>
                <td>{formatTime(d.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
