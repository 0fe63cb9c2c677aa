// A webhook's failure log (filters, and an inspect view of one attempt with
// its payload, request headers and response) and its delivery log. Both
// refresh on their own while shown, so new attempts appear without a reload.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attempt, AttemptDetail, Delivery, EventGroup, NamedValue, Page, V1Delivery } from '../api';
import { ApiError, api } from '../api';
import { outcomeLabel, outcomeSentence } from '../attempt-errors';
import { ErrorBanner, Modal, formatTime, prettyJson } from '../ui';
import { DeliveryPanel } from './delivery-panel';
import { countdown, deliveryState } from './states';
import { FIXED_3S, type RefreshPolicy, nextRefreshMs } from '../refresh';

// Rows per request (the API's default page).
export const LOG_PAGE = 50;

// A log list: the newest page, refreshed on `policy`'s schedule (every 3 s
// by default; backing off while nothing changes when the policy allows it),
// at once when `refresh()` is called, and whenever `deps` change; not while
// the tab is hidden. "Load more" follows the API's cursor for older rows.
// While older rows are shown the refresh pauses (new rows would shift the
// pages under them); "Back to latest" drops them and resumes it.
export function usePagedLog<T extends { id: string }>(
  fetchPage: (query: URLSearchParams) => Promise<Page<T>>,
  query: URLSearchParams,
  deps: unknown[],
  policy: RefreshPolicy = FIXED_3S,
) {
  const [head, setHead] = useState<Page<T> | null>(null);
  const [older, setOlder] = useState<{ rows: T[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const poke = useRef<() => void>(() => {});
  const paused = older !== null;
  useEffect(() => {
    setOlder(null);
  }, deps);
  useEffect(() => {
    if (paused) return;
    let live = true;
    let timer = 0;
    let wait: number | null = null;
    let last = '';
    let inFlight = false;
    let again = false; // refresh() during a request: ask again when it ends
    const schedule = (ms: number) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(tick, ms);
    };
    const tick = async () => {
      if (!live) return;
      if (inFlight) {
        again = true;
        return;
      }
      if (document.hidden) return; // visibilitychange starts it again
      inFlight = true;
      let changed = false;
      try {
        const value = await fetchPage(query);
        const text = JSON.stringify(value);
        changed = text !== last;
        last = text;
        if (live) setHead(value);
        if (live) setError(null);
      } catch (e) {
        if (live) setError(friendlyLogError(e));
      }
      inFlight = false;
      wait = nextRefreshMs(wait, changed || again, policy);
      if (live) schedule(again ? 0 : wait);
      again = false;
    };
    poke.current = () => {
      wait = null;
      schedule(0);
    };
    const onVisible = () => !document.hidden && poke.current();
    document.addEventListener('visibilitychange', onVisible);
    tick();
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      poke.current = () => {};
    };
  }, [...deps, paused]);

  const cursor = older ? older.cursor : head?.next_cursor ?? null;
  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const q = new URLSearchParams(query);
      q.set('cursor', cursor);
      const page = await fetchPage(q);
      setOlder((o) => ({ rows: [...(o?.rows ?? []), ...page.data], cursor: page.next_cursor }));
      setError(null);
    } catch (e) {
      setError(friendlyLogError(e));
    } finally {
      setLoadingMore(false);
    }
  };
  const seen = new Set(head?.data.map((r) => r.id) ?? []);
  const rows = head ? [...head.data, ...(older?.rows ?? []).filter((r) => !seen.has(r.id))] : null;
  return {
    rows,
    error,
    hasMore: !!cursor,
    loadMore,
    loadingMore,
    paused,
    backToLatest: () => setOlder(null),
    refresh: () => poke.current(),
  };
}

function friendlyLogError(e: unknown): string {
  if (e instanceof ApiError && e.field === 'status') {
    return 'Enter an HTTP status code (such as 500) or pick a kind of failure from the list.';
  }
  return (e as Error).message;
}

export function LoadMore(props: {
  shown: number;
  noun: string;
  hasMore: boolean;
  loading: boolean;
  paused: boolean;
  onMore: () => void;
  onLatest: () => void;
}) {
  if (!props.hasMore && !props.paused) return null;
  return (
    <div class="load-more" data-testid="load-more-bar">
      <span class="muted small" role="status">
        Showing {props.shown} {props.noun}
        {props.hasMore ? '; older ones are not loaded yet.' : ' (all of them).'}
        {props.paused && ' Automatic refresh is paused.'}
      </span>
      {props.hasMore && (
        <button type="button" class="secondary" disabled={props.loading} onClick={props.onMore}>
          {props.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
      {props.paused && (
        <button type="button" class="link-button" onClick={props.onLatest}>
          Back to latest
        </button>
      )}
    </div>
  );
}

// The "Load more" bar of a usePagedLog list (nothing before its first page).
export function LogFooter({ log, noun }: { log: ReturnType<typeof usePagedLog<{ id: string }>>; noun: string }) {
  if (!log.rows) return null;
  return (
    <LoadMore
      shown={log.rows.length}
      noun={noun}
      hasMore={log.hasMore}
      loading={log.loadingMore}
      paused={log.paused}
      onMore={log.loadMore}
      onLatest={log.backToLatest}
    />
  );
}

// Deliveries of a v2 or v1 webhook, newest first; v1 has no "Next attempt"
// column. v2 rows say what is true (webhooks/states.ts) and open the
// delivery's timeline (`onOpen`).
export function DeliveriesTable(props: {
  rows: Array<Delivery | V1Delivery>;
  label: string;
  withNextAttempt: boolean;
  onOpen?: (d: Delivery) => void;
}) {
  const now = new Date();
  return (
    <table class="table table-stack" aria-label={props.label}>
      <thead>
        <tr>
          <th>Event</th>
          <th>State</th>
          <th>Attempts</th>
          <th>Last status</th>
          {props.withNextAttempt && <th>Next attempt</th>}
          <th>Updated</th>
          {props.onOpen && <th aria-label="Details" />}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((d) => {
          const v2 = props.withNextAttempt ? deliveryState(d as Delivery, now) : null;
          return (
            <tr key={d.id} data-delivery-id={d.id}>
              <td data-label="Event">
                <div>
                  <code>{d.event_type}</code>
                  <div class="muted small mono break">{d.event_id}</div>
                </div>
              </td>
              <td data-label="State">
                {v2 ? (
                  <span data-testid="delivery-state">
                    <span class={`pill pill-tone-${v2.tone}`}>{v2.label}</span>
                    {v2.detail && <span class="small state-detail"> {v2.detail}</span>}
                  </span>
                ) : (
                  <span class={`pill pill-state-${d.state}`}>{STATE_LABEL[d.state] ?? d.state}</span>
                )}
              </td>
              <td data-label="Attempts">
                {d.attempts}
                {'max_attempts' in d && d.max_attempts && d.state === 'pending' ? ` of ${d.max_attempts}` : ''}
              </td>
              <td data-label="Last status">{outcomeLabel({ status_code: d.last_status_code, error: d.last_error })}</td>
              {props.withNextAttempt && (
                <td data-label="Next attempt">
                  {(d as Delivery).waiting_for_earlier
                    ? 'after the earlier event'
                    : d.state === 'pending'
                      ? `${formatTime(d.next_attempt_at)} (${countdown(d.next_attempt_at, now)})`
                      : '—'}
                </td>
              )}
              <td data-label="Updated">{formatTime(d.updated_at)}</td>
              {props.onOpen && (
                <td class="cell-actions">
                  <button
                    type="button"
                    class="secondary small-button"
                    aria-label={`Details of the delivery of ${d.event_id}`}
                    onClick={() => props.onOpen!(d as Delivery)}
                  >
                    Details
                  </button>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

// The kinds of failure the status filter offers, as the API spells them.
const FAILURE_KINDS: [string, string][] = [
  ['timeout', 'Timed out'],
  ['connect', 'Connection failed'],
  ['tls', 'TLS error'],
  ['dns', 'Host not found'],
  ['redirect', 'Redirect'],
  ['refused', 'Address not allowed'],
  ['http_status', 'Any HTTP error status'],
];

export const STATE_LABEL: Record<string, string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  exhausted: 'Exhausted',
  dropped: 'Dropped',
};

export function FailureLogs(props: { webhookId: string; groups: EventGroup[] }) {
  const [eventType, setEventType] = useState('');
  const [status, setStatus] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [inspecting, setInspecting] = useState<string | null>(null);

  const query = new URLSearchParams({ limit: String(LOG_PAGE) });
  if (eventType) query.set('event_type', eventType);
  if (status.trim()) query.set('status', status.trim());
  if (toIso(since)) query.set('since', toIso(since));
  if (toIso(until)) query.set('until', toIso(until));
  const key = query.toString();
  const log = usePagedLog((q) => api.failures(props.webhookId, q), query, [props.webhookId, key]);

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
            placeholder="HTTP code (500) or pick a kind"
            value={status}
            onInput={(e) => setStatus((e.target as HTMLInputElement).value)}
          />
          <datalist id="failure-status-options">
            {FAILURE_KINDS.map(([value, label]) => (
              <option key={value} value={value} label={label} />
            ))}
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
      <ErrorBanner error={log.error} />
      {log.rows && log.rows.length === 0 && <p class="muted empty-row">No failed attempts.</p>}
      {log.rows && log.rows.length > 0 && (
        <table class="table table-stack" aria-label="Failed attempts">
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
            {log.rows.map((a: Attempt) => (
              <tr key={a.id}>
                <td data-label="Time">{formatTime(a.at)}</td>
                <td data-label="Event">
                  <div>
                    <code>{a.event_type}</code>
                    <div class="muted small mono break">{a.event_id}</div>
                  </div>
                </td>
                <td data-label="Attempt">#{a.attempt}</td>
                <td data-label="Status">
                  <span class="pill pill-failed">{outcomeLabel(a)}</span>
                </td>
                <td data-label="Latency">{Math.round(a.latency_ms)} ms</td>
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
      <LogFooter log={log} noun="failed attempts" />
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

export function HeadersTable({ headers, label }: { headers: NamedValue[]; label: string }) {
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
              <code>{detail.event_type}</code> <span class="mono small break">{detail.event_id}</span>
            </dd>
            <dt>Attempt</dt>
            <dd>#{detail.attempt}</dd>
            <dt>Time</dt>
            <dd>{formatTime(detail.at)}</dd>
            <dt>Status</dt>
            <dd>
              <span class="pill pill-failed">{outcomeLabel(detail)}</span>{' '}
              <span data-testid="inspect-outcome">{outcomeSentence(detail)}</span>
            </dd>
            <dt>Latency</dt>
            <dd>{Math.round(detail.latency_ms)} ms</dd>
            <dt>URL</dt>
            <dd class="mono break">{detail.request.url}</dd>
          </dl>
          <h3>JSON payload</h3>
          <pre class="code" data-testid="inspect-payload" tabIndex={0} aria-label="JSON payload">
            {prettyJson(detail.request.body)}
          </pre>
          <h3>Request headers</h3>
          <HeadersTable headers={detail.request.headers} label="Request headers" />
          <h3>Response</h3>
          <HeadersTable headers={detail.response.headers} label="Response headers" />
          <pre class="code" data-testid="inspect-response" tabIndex={0} aria-label="Response body">
            {detail.response.body ? prettyJson(detail.response.body) : '(empty body)'}
          </pre>
        </div>
      )}
    </Modal>
  );
}

// `open`: a delivery to show at once (a search result's link).
export function DeliveryLogs(props: { webhookId: string; open?: string }) {
  const [state, setState] = useState('');
  const [open, setOpen] = useState<string | null>(props.open ?? null);
  useEffect(() => setOpen(props.open ?? null), [props.open]);
  const query = new URLSearchParams({ limit: String(LOG_PAGE) });
  if (state) query.set('state', state);
  const key = query.toString();
  const log = usePagedLog((q) => api.deliveries(props.webhookId, q), query, [props.webhookId, key]);
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
      <ErrorBanner error={log.error} />
      {log.rows && log.rows.length === 0 && <p class="muted empty-row">No deliveries.</p>}
      {log.rows && log.rows.length > 0 && (
        <DeliveriesTable rows={log.rows} label="Deliveries" withNextAttempt onOpen={(d) => setOpen(d.id)} />
      )}
      <LogFooter log={log} noun="deliveries" />
      {open && <DeliveryPanel deliveryId={open} onClose={() => setOpen(null)} onOpen={setOpen} />}
    </div>
  );
}
