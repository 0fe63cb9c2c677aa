// "Send test event" on a webhook's page, with what the receiver answered
// (status, latency and its response body), and the "Test events" log of the
// tests sent from this tab (test-log.ts: the server records no test). A
// response body is shown as text, never as markup.
import { useState } from 'preact/hooks';
import type { EventGroup, TestResult, Webhook } from '../api';
import { api } from '../api';
import { outcomeSentence } from '../attempt-errors';
import { formatTime, prettyJson } from '../ui';
import { expandEvents } from './form-model';
import type { TestLogEntry } from './test-log';
import { toEntry } from './test-log';

function ResponseBody(props: { body: string; truncated: boolean; label: string }) {
  if (!props.body) return <p class="muted small">The receiver answered with an empty body.</p>;
  return (
    <details class="response-body">
      <summary>{props.label}</summary>
      <pre class="code" tabIndex={0} aria-label={props.label}>
        {prettyJson(props.body)}
      </pre>
      {props.truncated && <p class="muted small">Only the beginning of a longer body is kept.</p>}
    </details>
  );
}

function outcome(r: Pick<TestResult, 'delivered' | 'status_code' | 'error' | 'latency_ms'>): string {
  return r.delivered
    ? `Delivered · HTTP ${r.status_code} · ${Math.round(r.latency_ms)} ms`
    : `Failed · ${outcomeSentence(r)} (${Math.round(r.latency_ms)} ms)`;
}

export function TestEvent(props: { webhook: Webhook; groups: EventGroup[]; onSent: (entry: TestLogEntry) => void }) {
  const events = expandEvents(props.webhook.events, props.groups);
  const [type, setType] = useState(events[0] ?? 'call.answered');
  const [result, setResult] = useState<TestLogEntry | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const send = async () => {
    setSending(true);
    setResult(null);
    setError(null);
    try {
      const entry = toEntry(await api.sendTest(props.webhook.id, type), type, new Date());
      setResult(entry);
      props.onSent(entry);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <section class="card" aria-label="Send test event">
      <div class="card-title">
        <h3>Send test event</h3>
      </div>
      <div class="inline-form">
        <select aria-label="Test event type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
          {props.groups.flatMap((g) =>
            g.events.map((ev) => (
              <option key={ev.type} value={ev.type}>
                {ev.type}
              </option>
            )),
          )}
        </select>
        <button type="button" class="secondary" disabled={sending} onClick={send}>
          {sending ? 'Sending…' : 'Send test event'}
        </button>
      </div>
      {error && <p class="field-error">{error}</p>}
      {result && (
        <div data-testid="test-outcome">
          <p class={result.delivered ? 'test-result ok' : 'test-result bad'} data-testid="test-result" role="status">
            {outcome(result)}
          </p>
          <ResponseBody body={result.response_body} truncated={result.truncated} label="Response body" />
        </div>
      )}
    </section>
  );
}

// The tests sent from this tab, newest first.
export function TestLog(props: { entries: TestLogEntry[] }) {
  if (props.entries.length === 0) {
    return <p class="muted empty-row">No test event sent from this tab yet. Tests are not stored on the server.</p>;
  }
  return (
    <>
      <p class="muted small">Test events sent from this browser tab (the server does not store them).</p>
      <table class="table table-stack" aria-label="Test events">
        <thead>
          <tr>
            <th>Time</th>
            <th>Event</th>
            <th>Outcome</th>
            <th>Response</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.at + (e.event_id ?? '')} data-testid="test-log-row">
              <td data-label="Time">{formatTime(e.at)}</td>
              <td data-label="Event">
                <code>{e.event_type}</code>
              </td>
              <td data-label="Outcome">
                <span class={e.delivered ? 'pill pill-active' : 'pill pill-failed'}>{outcome(e)}</span>
              </td>
              <td data-label="Response">
                <ResponseBody body={e.response_body} truncated={e.truncated} label={`Response body of the ${e.event_type} test`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
