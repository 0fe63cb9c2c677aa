// What the live call table shows, built from the stream's messages. Pure
// functions on plain data (no DOM, no timers), so that the rules are easy to
// follow: one row per call, newest first; a row that ends (disconnected,
// missed) stays greyed for ENDED_VISIBLE_MS, then drops.
import type { LiveCall, LiveCallState } from '../api';

export const ENDED_VISIBLE_MS = 10000;

// Transferred is not an end: the transfer target is being dialed, and the
// call is connected again when it answers (src/model/live_call.h).
export const ENDED_STATES: ReadonlySet<string> = new Set(['disconnected', 'missed']);

export const STATE_LABEL: Record<LiveCallState, string> = {
  ringing: 'Ringing',
  connected: 'Connected',
  transferred: 'Transferred',
  disconnected: 'Disconnected',
  missed: 'Missed',
};

export interface CallRow {
  call: LiveCall;
  since: number; // ms: when the call was first shown (its order in the table)
  endedAt: number | null; // ms: when it reached an end state, on this page's clock
  stream: number; // which stream (connection) last told about it
}

export type Rows = ReadonlyMap<string, CallRow>;

function ms(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
}

// One `call` message. An update older than what the row shows is ignored.
export function applyCall(rows: Rows, call: LiveCall, stream: number, now: number): Rows {
  const previous = rows.get(call.call_id);
  if (previous && previous.call.at && call.at && ms(call.at, 0) < ms(previous.call.at, 0)) {
    if (previous.stream === stream) return rows;
    const next = new Map(rows);
    next.set(call.call_id, { ...previous, stream });
    return next;
  }
  const ended = ENDED_STATES.has(call.state);
  const next = new Map(rows);
  next.set(call.call_id, {
    call,
    since: previous ? previous.since : ms(call.at, now),
    endedAt: ended ? (previous?.endedAt ?? now) : null,
    stream,
  });
  return next;
}

// After a reconnection's snapshot (`ready`): calls in progress that the new
// snapshot left out ended while the stream was down, so they go.
export function afterSnapshot(rows: Rows, stream: number): Rows {
  let changed = false;
  const next = new Map(rows);
  for (const [id, row] of rows) {
    if (row.endedAt === null && row.stream !== stream) {
      next.delete(id);
      changed = true;
    }
  }
  return changed ? next : rows;
}

// Drops rows that ended more than ENDED_VISIBLE_MS ago.
export function pruneEnded(rows: Rows, now: number, visibleMs = ENDED_VISIBLE_MS): Rows {
  let changed = false;
  const next = new Map(rows);
  for (const [id, row] of rows) {
    if (row.endedAt !== null && now - row.endedAt >= visibleMs) {
      next.delete(id);
      changed = true;
    }
  }
  return changed ? next : rows;
}

export function sortedRows(rows: Rows): CallRow[] {
  return [...rows.values()].sort((a, b) => b.since - a.since || a.call.call_id.localeCompare(b.call.call_id));
}

// "+91 98765 43210, +9180…" → ["+919876543210", "+9180…"]: commas separate,
// spaces and dashes inside a number are ignored (as the server does).
export function parseNumbers(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.replace(/[\s-]/g, ''))
    .filter(Boolean);
}

// "3 s", "2 min 5 s", "1 h 4 min".
export function elapsed(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// ---- Recent call history (GET /api/v2/calls) -------------------------------

export interface HistoryCall {
  call_id: string;
  state: LiveCallState;
  direction: string | null;
  from: string | null;
  to: string | null;
  agent_id: string | null;
  department_id: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  last_event_at: string;
  events: number;
}

// Stale: a call not ended whose last event is older than this is shown as
// stale instead of ringing (or connected) for ever. The admin picks it.
export const STALE_CHOICES_MIN = [2, 5, 10, 30, 60];
export const DEFAULT_STALE_MIN = 10;

export interface HistoryView {
  label: string;
  tone: 'ok' | 'wait' | 'bad' | 'off';
  duration: string; // running while the call goes on
  note: string; // why it is stale, or ''
}

// What a history row shows at `now` (ms): the state (Stale when no update
// came for `staleMs`), and the duration: start to end, or start to now.
export function historyView(c: HistoryCall, now: number, staleMs: number): HistoryView {
  const started = Date.parse(c.started_at);
  const ended = c.ended_at ? Date.parse(c.ended_at) : null;
  const last = Date.parse(c.last_event_at);
  const duration = elapsed(started, ended ?? now);
  if (ended === null && now - last > staleMs) {
    return { label: 'Stale', tone: 'off', duration: '', note: `no update for ${elapsed(last, now)}` };
  }
  const tone = { connected: 'ok', disconnected: 'off', missed: 'bad', ringing: 'wait', transferred: 'wait' }[c.state] as HistoryView['tone'];
  return { label: STATE_LABEL[c.state] ?? c.state, tone, duration, note: '' };
}
