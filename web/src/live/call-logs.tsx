// Call Logs: the Live Call Widget. With "Live updates" on, it watches
// GET /api/v2/live/calls (snapshot of calls in progress, then each change)
// and shows one row per call moving Ringing → Connected → Disconnected (or
// Missed / Transferred), filtered by number and department; changing a filter
// opens the stream again. Every value from the stream is rendered as text.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DirectoryEntry, LiveCallState } from '../api';
import { loadDirectory } from '../webhooks/directory-picker';
import { api } from '../api';
import { LogFooter, usePagedLog } from '../webhooks/logs';
import { ErrorBanner, formatTime } from '../ui';
import {
  DEFAULT_STALE_MIN,
  STALE_CHOICES_MIN,
  historyView,
  type HistoryCall,
  STATE_LABEL,
  afterSnapshot,
  applyCall,
  elapsed,
  parseNumbers,
  pruneEnded,
  sortedRows,
  type Rows,
} from './calls-model';
import type { StreamStatus } from './stream';
import { watchLiveCalls } from './stream';
import { CALLS_BACKOFF } from '../refresh';

const LIVE_KEY = 'switchboard.live';
const FILTER_DEBOUNCE_MS = 400;

function StatePill({ state }: { state: LiveCallState }) {
  return <span class={`pill pill-call-${state}`}>{STATE_LABEL[state] ?? state}</span>;
}

function statusText(status: StreamStatus | null, on: boolean): { text: string; kind: 'idle' | 'ok' | 'wait' | 'bad' } {
  if (!on) return { text: 'Live updates are off.', kind: 'idle' };
  if (!status || status.state === 'connecting') return { text: 'Connecting…', kind: 'wait' };
  if (status.state === 'live') return { text: 'Live', kind: 'ok' };
  if (status.state === 'reconnecting') {
    const seconds = Math.max(1, Math.round(status.inMs / 1000));
    return { text: `Connection lost (${status.reason}) Reconnecting in ${seconds} s…`, kind: 'wait' };
  }
  return { text: status.message, kind: 'bad' };
}

function StatusLine({ status, on }: { status: StreamStatus | null; on: boolean }) {
  const { text, kind } = statusText(status, on);
  const dot = { ok: 'dot dot-ok pulse', bad: 'dot dot-bad', wait: 'dot dot-wait', idle: 'dot dot-off' }[kind];
  return (
    <span class={`live-status live-status-${kind}`} data-testid="live-status" role="status">
      <span class={dot} />
      {text}
    </span>
  );
}

function DepartmentFilter(props: { value: string; onChange: (id: string) => void }) {
  const [entries, setEntries] = useState<DirectoryEntry[] | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadDirectory('departments').then((list) => live && setEntries(list));
    return () => {
      live = false;
    };
  }, []);
  if (entries === undefined) return null;
  if (!entries || entries.length === 0) {
    // Nothing to pick from: say why instead of asking for an id.
    return (
      <label class="field">
        <span class="label">Department</span>
        <select aria-label="Filter by department" disabled value="">
          <option value="">All departments</option>
        </select>
        <span class="muted small">
          {entries ? 'No departments in the company directory yet.' : 'The company directory could not be read.'}
        </span>
      </label>
    );
  }
  return (
    <label class="field">
      <span class="label">Department</span>
      <select
        aria-label="Filter by department"
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">All departments</option>
        {entries.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
        {props.value && !entries.some((d) => d.id === props.value) && <option value={props.value}>{props.value}</option>}
      </select>
    </label>
  );
}

const STALE_KEY = 'switchboard.staleMinutes';

// Names from the company directory (ids where it lacks them).
function useNames(kind: 'agents' | 'departments'): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    loadDirectory(kind).then((list) => live && setNames(new Map((list ?? []).map((e) => [e.id, e.name]))));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

// The last hour's calls from the store (GET /api/v2/calls), below the live
// rows: one row per call with its true final state, agent and department
// names from the directory, a running duration, and calls without an update
// for the chosen time shown as stale.
// The list backs off while nothing changes (refresh.ts: each request makes
// the server order up to 20,000 call events); a change on the live stream
// (`changes` counts them) refreshes it, at most once per CALLS_BACKOFF.minMs.
function RecentCalls(props: { department: string; changes: number }) {
  const [staleMin, setStaleMin] = useState(() => Number(localStorage.getItem(STALE_KEY)) || DEFAULT_STALE_MIN);
  const [now, setNow] = useState(() => Date.now());
  const agents = useNames('agents');
  const departments = useNames('departments');
  const query = new URLSearchParams({ limit: '50' });
  const log = usePagedLog(
    async (q) => {
      const page = await api.calls(q);
      return { data: page.data.map((c) => ({ ...c, id: c.call_id })), next_cursor: page.next_cursor };
    },
    query,
    [],
    CALLS_BACKOFF,
  );
  const lastPoke = useRef(0);
  useEffect(() => {
    if (!props.changes) return;
    const due = lastPoke.current + CALLS_BACKOFF.minMs - Date.now();
    const timer = window.setTimeout(() => {
      lastPoke.current = Date.now();
      log.refresh();
    }, Math.max(0, due));
    return () => window.clearTimeout(timer);
  }, [props.changes]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const rows = (log.rows ?? []).filter((c: HistoryCall) => !props.department || c.department_id === props.department);
  return (
    <section class="card" aria-label="Recent calls">
      <div class="card-title history-title">
        <h3>Recent calls (last hour)</h3>
        <label class="inline-label">
          <span class="label">Stale after</span>
          <select
            aria-label="Stale after"
            value={String(staleMin)}
            onChange={(e) => {
              const v = Number((e.target as HTMLSelectElement).value);
              setStaleMin(v);
              localStorage.setItem(STALE_KEY, String(v));
            }}
          >
            {STALE_CHOICES_MIN.map((m) => (
              <option key={m} value={String(m)}>
                {m} min without an update
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={log.error} />
      {log.rows && rows.length === 0 && <p class="muted empty-row">No calls in the last hour.</p>}
      {rows.length > 0 && (
        <table class="table table-stack" aria-label="Recent calls">
          <thead>
            <tr>
              <th>State</th>
              <th>From</th>
              <th>To</th>
              <th>Agent</th>
              <th>Department</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c: HistoryCall) => {
              const v = historyView(c, now, staleMin * 60000);
              return (
                <tr key={c.call_id} data-history-call-id={c.call_id}>
                  <td data-label="State">
                    <span class={`pill pill-tone-${v.tone}`}>{v.label}</span>
                    {v.note && <span class="small state-detail">{v.note}</span>}
                  </td>
                  <td data-label="From" class="mono">{c.from ?? '—'}</td>
                  <td data-label="To" class="mono">{c.to ?? '—'}</td>
                  <td data-label="Agent">{c.agent_id ? agents.get(c.agent_id) ?? c.agent_id : <span class="muted">—</span>}</td>
                  <td data-label="Department">
                    {c.department_id ? departments.get(c.department_id) ?? c.department_id : <span class="muted">—</span>}
                  </td>
                  <td data-label="Started">{formatTime(c.started_at)}</td>
                  <td data-label="Duration">{v.duration || '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <LogFooter log={log} noun="calls" />
    </section>
  );
}

export function CallLogs() {
  const [on, setOn] = useState(() => sessionStorage.getItem(LIVE_KEY) === 'on');
  const [numbersText, setNumbersText] = useState('');
  const [numbers, setNumbers] = useState<string[]>([]);
  const [department, setDepartment] = useState('');
  const [rows, setRows] = useState<Rows>(new Map());
  const [status, setStatus] = useState<StreamStatus | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [ready, setReady] = useState(false);
  const [changes, setChanges] = useState(0); // calls changed on the stream after its snapshot
  const streamNo = useRef(0);
  const snapshotDone = useRef(false);

  // Numbers apply once typing pauses.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const next = parseNumbers(numbersText);
      setNumbers((prev) => (prev.join(',') === next.join(',') ? prev : next));
    }, FILTER_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [numbersText]);

  // The stream, opened again whenever the toggle or a filter changes.
  useEffect(() => {
    sessionStorage.setItem(LIVE_KEY, on ? 'on' : 'off');
    setRows(new Map());
    setReady(false);
    setStatus(null);
    if (!on) return;
    const stop = watchLiveCalls(
      { numbers, departmentIds: department ? [department] : [] },
      {
        onOpen: () => {
          streamNo.current += 1;
          snapshotDone.current = false;
        },
        onCall: (call) => {
          const stream = streamNo.current;
          setRows((r) => applyCall(r, call, stream, Date.now()));
          if (snapshotDone.current) setChanges((n) => n + 1);
        },
        onReady: () => {
          const stream = streamNo.current;
          setRows((r) => afterSnapshot(r, stream));
          setReady(true);
          snapshotDone.current = true;
        },
        onStatus: setStatus,
      },
    );
    return stop;
  }, [on, numbers.join(','), department]);

  // A clock for the durations and for dropping ended calls, while there are rows.
  const hasRows = rows.size > 0;
  useEffect(() => {
    if (!hasRows) return;
    const timer = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      setRows((r) => pruneEnded(r, t));
    }, 1000);
    return () => window.clearInterval(timer);
  }, [hasRows]);

  const list = sortedRows(rows);
  const numbersError = status?.state === 'failed' && status.field === 'numbers' ? status.message : null;
  const departmentError = status?.state === 'failed' && status.field === 'department_ids' ? status.message : null;
  const otherError = status?.state === 'failed' && !numbersError && !departmentError;

  return (
    <div class="page">
      <div class="page-header">
        <div>
          <h1>Call Logs</h1>
          <p class="muted small">Calls in progress in your company, as they ring, connect and end.</p>
        </div>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={on}
            checked={on}
            onChange={(e) => setOn((e.target as HTMLInputElement).checked)}
          />
          <span class="switch-track" aria-hidden="true" />
          Live updates
        </label>
      </div>
      <div class="card live-filters">
        <div class="filters">
          <label class="field">
            <span class="label">Numbers</span>
            <input
              aria-label="Filter by number"
              aria-invalid={numbersError ? true : undefined}
              class={numbersError ? 'invalid' : ''}
              placeholder="+919876543210, +918040000102"
              value={numbersText}
              onInput={(e) => setNumbersText((e.target as HTMLInputElement).value)}
            />
            <span class="muted small">Comma-separated; a call matches when it is from or to one of them.</span>
          </label>
          <DepartmentFilter value={department} onChange={setDepartment} />
          <div class="live-status-cell">
            <StatusLine status={status} on={on} />
          </div>
        </div>
        {numbersError && (
          <p class="field-error" role="alert">
            {numbersError}
          </p>
        )}
        {departmentError && (
          <p class="field-error" role="alert">
            {departmentError}
          </p>
        )}
      </div>
      {otherError && status?.state === 'failed' && <div class="banner banner-error">{status.message}</div>}
      {!on ? (
        <div class="card empty">
          <h3>Live updates are off</h3>
          <p class="muted">Turn on Live updates to watch calls ring, connect and end as they happen.</p>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-stack" aria-label="Live calls" data-ready={ready ? 'true' : 'false'}>
            <thead>
              <tr>
                <th>State</th>
                <th>From</th>
                <th>To</th>
                <th>Direction</th>
                <th>Agent</th>
                <th>Department</th>
                <th>In state for</th>
              </tr>
            </thead>
            <tbody>
              {list.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted empty-cell">
                    {status?.state === 'failed'
                      ? 'Not watching: see the message above.'
                      : ready
                        ? 'No calls in progress.'
                        : 'Waiting for the calls in progress…'}
                  </td>
                </tr>
              )}
              {list.map(({ call, endedAt }) => (
                <tr key={call.call_id} data-call-id={call.call_id} class={endedAt !== null ? 'row-ended' : ''}>
                  <td data-label="State">
                    <StatePill state={call.state} />
                  </td>
                  <td data-label="From" class="mono">{call.from}</td>
                  <td data-label="To" class="mono">{call.to}</td>
                  <td data-label="Direction">{call.direction === 'outbound' ? 'Outbound' : 'Inbound'}</td>
                  <td data-label="Agent">{call.agent ? call.agent.name || call.agent.id : <span class="muted">—</span>}</td>
                  <td data-label="Department">
                    {call.department ? call.department.name || call.department.id : <span class="muted">—</span>}
                  </td>
                  <td data-label="In state for" class="muted small">{call.at ? elapsed(Date.parse(call.at), now) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RecentCalls department={department} changes={changes} />
    </div>
  );
}
