// The live call stream, GET /api/v2/live/calls?numbers=&department_ids=
// (Server-Sent Events), read with fetch so that it carries the bearer token.
// On every (re)connection the server sends a snapshot of the calls in
// progress (`call` messages), then `ready` {"calls":N}, then each change, and
// a ": ping" comment every 15 s. A stream that drops (or goes quiet past
// three pings) is opened again with growing delays until stop() is called;
// answers that retrying cannot fix (400 bad filter, 401, 403) end the watch.
import type { LiveCall } from '../api';
import { reportUnauthorized, storedToken } from '../api';
import { SseParser } from './sse';

export interface LiveFilter {
  numbers: string[];
  departmentIds: string[];
}

export type StreamStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; inMs: number; reason: string }
  | { state: 'failed'; message: string; field?: string };

export interface LiveHandlers {
  // A new stream opened: its snapshot follows, up to onReady.
  onOpen(): void;
  onCall(call: LiveCall): void;
  onReady(calls: number): void;
  onStatus(status: StreamStatus): void;
}

export interface WatchOptions {
  token?: string | null;
  idleTimeoutMs?: number; // no bytes for this long: reconnect (default 3 pings)
  fetchImpl?: typeof fetch;
}

// Delay before reconnection attempt `attempt` (0-based): 0.5 s, 1 s, 2 s, … up
// to 30 s, ±20 % so that many dashboards do not reconnect in step.
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function liveCallsUrl(filter: LiveFilter): string {
  const query = new URLSearchParams();
  if (filter.numbers.length) query.set('numbers', filter.numbers.join(','));
  if (filter.departmentIds.length) query.set('department_ids', filter.departmentIds.join(','));
  const text = query.toString();
  return '/api/v2/live/calls' + (text ? '?' + text : '');
}

// The call in one `call` message, or null when it is not one.
export function parseCall(data: string): LiveCall | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  const v = value as Partial<LiveCall> | null;
  if (!v || typeof v !== 'object' || typeof v.call_id !== 'string' || typeof v.state !== 'string') return null;
  const named = (x: unknown) => {
    const o = x as { id?: unknown; name?: unknown } | null;
    return o && typeof o === 'object' && typeof o.id === 'string'
      ? { id: o.id, name: typeof o.name === 'string' ? o.name : '' }
      : null;
  };
  return {
    call_id: v.call_id,
    state: v.state,
    from: typeof v.from === 'string' ? v.from : '',
    to: typeof v.to === 'string' ? v.to : '',
    direction: v.direction === 'outbound' ? 'outbound' : 'inbound',
    agent: named(v.agent),
    department: named(v.department),
    at: typeof v.at === 'string' ? v.at : '',
  };
}

class Permanent extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

// Watches until the returned function is called.
export function watchLiveCalls(filter: LiveFilter, handlers: LiveHandlers, options: WatchOptions = {}): () => void {
  const stopped = new AbortController();
  const doFetch = options.fetchImpl ?? fetch.bind(globalThis);
  const idleTimeoutMs = options.idleTimeoutMs ?? 46000;
  const url = liveCallsUrl(filter);

  // One connection: resolves when the stream ends, throws Permanent when retrying cannot help.
  const connect = async (onReadyReset: () => void): Promise<string> => {
    const token = options.token !== undefined ? options.token : storedToken();
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort();
    stopped.signal.addEventListener('abort', abortAttempt, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(abortAttempt, idleTimeoutMs);
    };
    try {
      touch();
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (token) headers.Authorization = `Bearer ${token}`;
      let response: Response;
      try {
        response = await doFetch(url, { headers, cache: 'no-store', signal: attempt.signal });
      } catch {
        return stopped.signal.aborted ? 'stopped' : 'The server cannot be reached.';
      }
      if (!response.ok) {
        let message = `The server answered ${response.status}.`;
        let field: string | undefined;
        try {
          const body = (await response.json()) as { error?: { message?: string; field?: string } };
          message = body.error?.message ?? message;
          field = body.error?.field;
        } catch {
          // not JSON: keep the status
        }
        if (response.status === 401) {
          reportUnauthorized(token);
          throw new Permanent('Your session ended: the token is no longer valid.');
        }
        if (response.status === 400 || response.status === 403 || response.status === 404) {
          throw new Permanent(message, field);
        }
        return message; // 429, 5xx: try again later
      }
      if (!response.body) throw new Permanent('This browser cannot read streamed answers.');
      handlers.onOpen();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          return stopped.signal.aborted ? 'stopped' : attempt.signal.aborted ? 'The stream went quiet.' : 'The stream was interrupted.';
        }
        if (chunk.done) break;
        touch();
        for (const item of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (item.kind !== 'message') continue;
          if (item.event === 'call') {
            const call = parseCall(item.data);
            if (call) handlers.onCall(call);
          } else if (item.event === 'ready') {
            let calls = 0;
            try {
              calls = Number((JSON.parse(item.data) as { calls?: number }).calls ?? 0);
            } catch {
              // a ready without a count is still ready
            }
            onReadyReset();
            handlers.onReady(calls);
            handlers.onStatus({ state: 'live' });
          }
        }
      }
      parser.end();
      return 'The server closed the stream.';
    } finally {
      clearTimeout(idle);
      stopped.signal.removeEventListener('abort', abortAttempt);
      attempt.abort();
    }
  };

  (async () => {
    let failures = 0;
    while (!stopped.signal.aborted) {
      handlers.onStatus({ state: 'connecting' });
      let reason: string;
      try {
        reason = await connect(() => {
          failures = 0;
        });
      } catch (e) {
        if (stopped.signal.aborted) return;
        const error = e as Permanent;
        handlers.onStatus({ state: 'failed', message: error.message, field: error.field });
        return;
      }
      if (stopped.signal.aborted) return;
      const inMs = backoffDelay(failures++);
      handlers.onStatus({ state: 'reconnecting', inMs, reason });
      await sleep(inMs, stopped.signal);
    }
  })();

  return () => stopped.abort();
}
