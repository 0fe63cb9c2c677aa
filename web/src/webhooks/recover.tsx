// Recover (issue 17 item 8): send again every delivery of this webhook that
// ran out of retries since a chosen time. POST /api/v2/webhooks/{id}/recover
// answers a job at once; the card polls GET …/recover/{job_id} until it is
// done or failed and says what happened. Only an active webhook recovers:
// otherwise the button is disabled and says why.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecoverJob, Webhook } from '../api';
import { ApiError, api } from '../api';
import { countText } from './stats-model';

const POLL_MS = 1000;

// datetime-local text for a time (local clock, minutes).
export function localInput(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

// Why Recover cannot run now, or null when it can.
export function recoverBlocked(w: Pick<Webhook, 'status'>): string | null {
  if (w.status === 'failed') return 'This webhook has failed: fix the endpoint and Enable & resume it first.';
  if (w.status === 'inactive') return 'This webhook is disabled: enable it first.';
  return null;
}

// The job in an admin's words.
export function recoverProgress(job: RecoverJob): string {
  if (job.status === 'running') return 'Recovering… finding the deliveries that ran out of retries.';
  if (job.status === 'failed') {
    return job.error === 'webhook_not_active'
      ? 'Nothing was sent: the webhook stopped being active before the recovery ran.'
      : `Nothing was sent: ${job.error ?? 'the recovery failed'}.`;
  }
  if (job.total === 0) return 'No delivery ran out of retries since then: nothing to send.';
  const sent = `Queued ${countText(job.queued)} of ${countText(job.total)} ${job.total === 1 ? 'delivery' : 'deliveries'} that ran out of retries.`;
  return job.capped ? `${sent} One recovery sends at most ${countText(job.limit)}: recover again from a later time for the rest.` : sent;
}

export function Recover(props: { webhook: Webhook }) {
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3600 * 1000)));
  const [job, setJob] = useState<RecoverJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  const blocked = recoverBlocked(props.webhook);
  const running = job?.status === 'running';

  // Poll the job while it runs.
  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const timer = window.setTimeout(async () => {
      try {
        const next = await api.recoverJob(props.webhook.id, job.id);
        if (alive.current) setJob(next);
      } catch (e) {
        if (alive.current) setError((e as Error).message);
      }
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [job]);

  const recover = async () => {
    setError(null);
    setFieldError(null);
    setJob(null);
    const d = new Date(since);
    if (Number.isNaN(d.getTime())) return setFieldError('Pick the time to recover from.');
    setBusy(true);
    try {
      setJob(await api.recover(props.webhook.id, d.toISOString()));
    } catch (e) {
      if (e instanceof ApiError && e.field === 'since') setFieldError(e.message);
      else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const reasonId = `recover-reason-${props.webhook.id}`;
  const fieldErrorId = `recover-since-error-${props.webhook.id}`;
  return (
    <section class="card" aria-label="Recover">
      <div class="card-title">
        <h3>Recover failed deliveries</h3>
      </div>
      <p class="muted small">
        Sends again, in order, every delivery that ran out of retries since the time you pick.
      </p>
      <div class="replay-form">
        <label>
          <span class="label">Since</span>
          <input
            type="datetime-local"
            aria-label="Recover since"
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? fieldErrorId : undefined}
            class={fieldError ? 'invalid' : ''}
            value={since}
            onChange={(e) => setSince((e.target as HTMLInputElement).value)}
          />
        </label>
        <button
          type="button"
          class="secondary"
          disabled={!!blocked || busy || running}
          aria-describedby={blocked ? reasonId : undefined}
          onClick={recover}
        >
          {busy || running ? 'Recovering…' : 'Recover'}
        </button>
      </div>
      {fieldError && (
        <p class="field-error" id={fieldErrorId}>
          {fieldError}
        </p>
      )}
      {blocked && (
        <p class="muted small" id={reasonId} data-testid="recover-blocked">
          {blocked}
        </p>
      )}
      {error && <p class="field-error">{error}</p>}
      {job && (
        <p
          class={job.status === 'failed' ? 'test-result bad' : 'test-result ok'}
          role="status"
          data-testid="recover-result"
          data-status={job.status}
        >
          {recoverProgress(job)}
        </p>
      )}
    </section>
  );
}
