// One delivery (issue 17 item 8): what is true about it now, its attempt
// timeline (each failed attempt's time, outcome and latency, then the
// success or the next retry with a countdown), Resend, and copy buttons for
// the event id, the payload and a ready cURL command (webhooks/curl.ts).
// Reads GET /api/v2/deliveries/{id}/attempts and refreshes while pending.
import { useEffect, useState } from 'preact/hooks';
import type { AttemptDetail, DeliveryTimeline } from '../api';
import { api } from '../api';
import { outcomeLabel, outcomeSentence } from '../attempt-errors';
import { ErrorBanner, Modal, formatTime, prettyJson, useToast } from '../ui';
import { curlCommand } from './curl';
import { countdown, deliveryState } from './states';

const REFRESH_MS = 3000;

// The clipboard where the page may use it, else a hidden textarea and
// execCommand (plain-HTTP origins other than localhost).
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('The browser did not allow copying.');
  }
}

function CopyButton(props: { label: string; text: () => Promise<string> | string }) {
  const toast = useToast();
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        try {
          await copyText(await props.text());
          toast(`${props.label.replace(/^Copy /, '')} copied`);
        } catch (e) {
          toast((e as Error).message, 'error');
        }
      }}
    >
      {props.label}
    </button>
  );
}

// A second's tick for the countdown.
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function Timeline({ timeline, now }: { timeline: DeliveryTimeline; now: Date }) {
  const d = timeline.delivery;
  const state = deliveryState(d, now);
  return (
    <ol class="timeline" aria-label="Attempt timeline">
      {timeline.data.map((a) => (
        <li key={a.id} class="timeline-bad">
          <span class="timeline-when">{formatTime(a.at)}</span>
          <span>
            Attempt {a.attempt} · <strong>{outcomeLabel(a)}</strong> · {Math.round(a.latency_ms)} ms
            <span class="muted small block">{outcomeSentence(a)}</span>
          </span>
        </li>
      ))}
      {d.state === 'delivered' && (
        <li class="timeline-ok">
          <span class="timeline-when">{formatTime(d.updated_at)}</span>
          <span>
            Attempt {d.attempts} · <strong>Delivered</strong>
            {d.last_status_code ? ` · HTTP ${d.last_status_code}` : ''}
          </span>
        </li>
      )}
      {d.state === 'pending' && (
        <li class="timeline-wait" data-testid="timeline-next">
          <span class="timeline-when">{d.waiting_for_earlier ? '—' : formatTime(d.next_attempt_at)}</span>
          <span>
            {d.waiting_for_earlier ? (
              <>Waiting for an earlier event of this call to be delivered first.</>
            ) : (
              <>
                Next: {state.detail} <strong>({countdown(d.next_attempt_at, now)})</strong>
              </>
            )}
          </span>
        </li>
      )}
      {(d.state === 'exhausted' || d.state === 'dropped') && (
        <li class="timeline-bad">
          <span class="timeline-when">{formatTime(d.updated_at)}</span>
          <span>
            <strong>{state.label}</strong> {state.detail}
          </span>
        </li>
      )}
    </ol>
  );
}

export function DeliveryPanel(props: { deliveryId: string; onClose: () => void; onOpen: (id: string) => void }) {
  const [timeline, setTimeline] = useState<DeliveryTimeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resending, setResending] = useState(false);
  const toast = useToast();
  const now = useNow();
  const pending = timeline?.delivery.state === 'pending';
  useEffect(() => {
    let live = true;
    let timer = 0;
    const load = async () => {
      try {
        const t = await api.deliveryAttempts(props.deliveryId);
        if (!live) return;
        setTimeline(t);
        setError(null);
        if (t.delivery.state === 'pending') timer = window.setTimeout(load, REFRESH_MS);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    load();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [props.deliveryId]);

  const last: AttemptDetail | undefined = timeline?.data[timeline.data.length - 1];
  const payload = async () => {
    if (last) return last.request.body;
    const e = await api.event(timeline!.delivery.event_id);
    return JSON.stringify(e.event);
  };
  const curl = async () => {
    if (last) return curlCommand(last.request.url, last.request.headers, last.request.body);
    return (
      '# No failed attempt is stored for this delivery, so its signature headers are not known.\n' +
      curlCommand('https://your-endpoint.example/', [{ name: 'Content-Type', value: 'application/json' }], await payload())
    );
  };
  const resend = async () => {
    setResending(true);
    try {
      const created = await api.redeliver(props.deliveryId);
      toast('Resent: a new delivery is queued');
      props.onOpen(created.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setResending(false);
    }
  };
  const d = timeline?.delivery;
  const state = d ? deliveryState(d, now) : null;
  return (
    <Modal
      title="Delivery"
      onClose={props.onClose}
      wide
      footer={
        <>
          <button type="button" class="secondary" onClick={props.onClose}>
            Close
          </button>
          <button type="button" class="primary" disabled={!d || resending} onClick={resend}>
            {resending ? 'Resending…' : 'Resend'}
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
      {!d && !error && <p class="muted">Loading…</p>}
      {d && state && (
        <div class="inspect">
          <dl class="facts">
            <dt>Event</dt>
            <dd>
              <code>{d.event_type}</code> <span class="mono small break">{d.event_id}</span>
            </dd>
            <dt>State</dt>
            <dd data-testid="panel-state">
              <span class={`pill pill-tone-${state.tone}`}>{state.label}</span> {state.detail}
            </dd>
            {d.blocked_by && (
              <>
                <dt>Waits for</dt>
                <dd>
                  <button type="button" class="link-button mono" onClick={() => props.onOpen(d.blocked_by!)}>
                    {d.blocked_by}
                  </button>
                </dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd>
              {d.attempts}
              {d.max_attempts ? ` of at most ${d.max_attempts}` : ''}
            </dd>
          </dl>
          <div class="button-row" role="group" aria-label="Copy">
            <CopyButton label="Copy event id" text={() => d.event_id} />
            <CopyButton label="Copy payload" text={payload} />
            <CopyButton label="Copy cURL" text={curl} />
          </div>
          <h3>Attempts</h3>
          <Timeline timeline={timeline!} now={now} />
          {pending && <p class="muted small">This view refreshes while the delivery is pending.</p>}
          {last && (
            <>
              <h3>Last failed attempt's response</h3>
              <pre class="code" tabIndex={0} aria-label="Last response body">
                {last.response.body ? prettyJson(last.response.body) : '(empty body)'}
              </pre>
            </>
          )}
        </div>
      )}
    </Modal>
  );
}
