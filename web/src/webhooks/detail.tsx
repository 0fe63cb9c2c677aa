// One webhook: its configuration, health charts, "Send test event" with the
// result, Replay and Recover, and its failure, delivery and test-event logs.
import { useEffect, useState } from 'preact/hooks';
import type { EventGroup, Webhook } from '../api';
import { api } from '../api';
import { href, navigate } from '../router';
import { ErrorBanner, StatusPill, formatTime, useToast } from '../ui';
import { clockTime } from './states';
import { deliveryControlsSummary } from './form-model';
import { WebhookActions } from './actions';
import { DeliveryLogs, FailureLogs } from './logs';
import { loadDirectory } from './directory-picker';
import { StatsPanel } from './stats-charts';
import { Recover } from './recover';
import { TestEvent, TestLog } from './test-event';
import { type TestLogEntry, appendTestLog, readTestLog } from './test-log';

// Directory names for the filter summary (ids only when the directory lacks them).
function useDirectoryNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    Promise.all([loadDirectory('departments'), loadDirectory('agents')]).then((lists) => {
      if (live) setNames(new Map(lists.flatMap((l) => l ?? []).map((e) => [e.id, e.name])));
    });
    return () => {
      live = false;
    };
  }, []);
  return names;
}

// A Failed webhook says since when and what to do; an active one whose
// endpoint keeps failing says since when (issue 17 items 5 and 7).
function HealthBanner(props: { webhook: Webhook; onChanged: (w: Webhook) => void }) {
  const w = props.webhook;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const since = w.failing_since ? clockTime(w.failing_since, new Date()) : '';
  if (w.status === 'failed') {
    const resume = async () => {
      setBusy(true);
      try {
        props.onChanged(await api.enableWebhook(w.id));
        toast('Enabled: deliveries resume');
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setBusy(false);
      }
    };
    return (
      <div class="banner banner-error" role="alert" data-testid="health-banner">
        <strong>{since ? `Failing since ${since}` : 'Failed'}</strong> — fix the endpoint, then Enable &amp; resume.
        Nothing is sent to it until then.{' '}
        <button type="button" class="secondary small-button" disabled={busy} onClick={resume}>
          Enable &amp; resume
        </button>
        {error && <span class="block">{error}</span>}
      </div>
    );
  }
  if (w.status === 'active' && since) {
    return (
      <div class="banner banner-warning" role="status" data-testid="health-banner">
        <strong>Failing since {since}</strong>: the endpoint has not accepted a delivery since then; retries continue on
        their schedule.
      </div>
    );
  }
  return null;
}

// Replay: queue again every stored event this webhook matches in a time range.
function Replay(props: { webhook: Webhook }) {
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const iso = (local: string) => {
    const d = new Date(local);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString();
  };
  const replay = async () => {
    setResult(null);
    setError(null);
    if (!iso(since) || !iso(until)) return setError('Pick both the start and the end of the range.');
    setBusy(true);
    try {
      const r = await api.replay(props.webhook.id, iso(since), iso(until));
      setResult(
        r.replayed === 0
          ? 'No stored event in that range matches this webhook.'
          : `Queued ${r.replayed} ${r.replayed === 1 ? 'delivery' : 'deliveries'}${r.replayed >= r.limit ? ` (the most one replay sends)` : ''}.`,
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-label="Replay">
      <div class="card-title">
        <h3>Replay a time range</h3>
      </div>
      <p class="muted small">Sends again every stored event this webhook matches, created in the range.</p>
      <div class="replay-form">
        <label>
          <span class="label">From</span>
          <input type="datetime-local" aria-label="Replay from" value={since} onChange={(e) => setSince((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <span class="label">To</span>
          <input type="datetime-local" aria-label="Replay to" value={until} onChange={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" class="secondary" disabled={busy} onClick={replay}>
          {busy ? 'Replaying…' : 'Replay'}
        </button>
      </div>
      {error && <p class="field-error">{error}</p>}
      {result && (
        <p class="test-result ok" role="status" data-testid="replay-result">
          {result}
        </p>
      )}
    </section>
  );
}

function authSummary(w: Webhook): string {
  switch (w.auth.type) {
    case 'basic':
      return `Basic (${w.auth.username})`;
    case 'api_key':
      return `API key in ${w.auth.location === 'query' ? 'query' : 'header'} (${w.auth.keys.map((k) => k.name).join(', ')})`;
    default:
      return 'None';
  }
}

export function WebhookDetail(props: { id: string; delivery?: string }) {
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [groups, setGroups] = useState<EventGroup[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'failures' | 'deliveries' | 'tests'>(props.delivery ? 'deliveries' : 'failures');
  const [tests, setTests] = useState<TestLogEntry[]>(() => readTestLog(sessionStorage, props.id));
  useEffect(() => setTests(readTestLog(sessionStorage, props.id)), [props.id]);
  const onTestSent = (entry: TestLogEntry) => setTests(appendTestLog(sessionStorage, props.id, entry));
  useEffect(() => {
    if (props.delivery) setTab('deliveries');
  }, [props.delivery]);
  const names = useDirectoryNames();

  useEffect(() => {
    setWebhook(null);
    Promise.all([api.getWebhook(props.id), api.eventTypes()]).then(
      ([w, types]) => {
        setWebhook(w);
        setGroups(types.groups);
      },
      (e: Error) => setError(e.message),
    );
  }, [props.id]);

  if (!webhook) {
    return (
      <div class="page">
        <a class="breadcrumb" href={href.webhooks}>
          ← Webhooks
        </a>
        <ErrorBanner error={error} />
        {!error && <p class="muted">Loading…</p>}
      </div>
    );
  }
  const w = webhook;
  const filters = [
    w.filters.direction.length ? `direction: ${w.filters.direction.join(', ')}` : '',
    w.filters.department_ids.length
      ? `departments: ${w.filters.department_ids.map((id) => names.get(id) ?? id).join(', ')}`
      : '',
    w.filters.agent_ids.length ? `agents: ${w.filters.agent_ids.map((id) => names.get(id) ?? id).join(', ')}` : '',
  ].filter(Boolean);

  return (
    <div class="page">
      <a class="breadcrumb" href={href.webhooks}>
        ← Webhooks
      </a>
      <div class="page-header">
        <div>
          <h1>
            {w.name || 'Untitled webhook'} <StatusPill status={w.status} />
          </h1>
          <p class="mono muted break">{w.url}</p>
        </div>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => navigate(href.editWebhook(w.id))}>
            Edit
          </button>
          <WebhookActions webhook={w} onChanged={setWebhook} onDeleted={() => navigate(href.webhooks)} />
        </div>
      </div>
      <HealthBanner webhook={w} onChanged={setWebhook} />
      <StatsPanel webhookId={w.id} />
      <div class="two-panel">
        <section class="card" aria-label="Configuration">
          <div class="card-title">
            <h3>Configuration</h3>
          </div>
          <dl class="facts">
            {w.description && (
              <>
                <dt>Description</dt>
                <dd>{w.description}</dd>
              </>
            )}
            <dt>Events</dt>
            <dd>{w.events.map((e) => <code key={e} class="tag">{e}</code>)}</dd>
            <dt>Authentication</dt>
            <dd>{authSummary(w)}</dd>
            <dt>Custom headers</dt>
            <dd>{w.headers.length ? w.headers.map((h) => h.key).join(', ') : 'None'}</dd>
            <dt>Filters</dt>
            <dd>{filters.length ? filters.join('; ') : 'All calls'}</dd>
            <dt>Signing</dt>
            <dd>{w.has_secret ? 'Signed with a secret' : 'Not signed'}</dd>
            <dt>Delivery controls</dt>
            <dd data-testid="delivery-controls">{deliveryControlsSummary(w)}</dd>
            <dt>Consecutive failed deliveries</dt>
            <dd>{w.consecutive_failures}</dd>
            <dt>Created</dt>
            <dd>{formatTime(w.created_at)}</dd>
          </dl>
        </section>
        <div>
          <TestEvent webhook={w} groups={groups} onSent={onTestSent} />
          <Replay webhook={w} />
          <Recover webhook={w} />
        </div>
      </div>
      <section class="card" aria-label="Logs">
        <div class="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'failures'}
            class={tab === 'failures' ? 'tab active' : 'tab'}
            onClick={() => setTab('failures')}
          >
            Failure logs
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'deliveries'}
            class={tab === 'deliveries' ? 'tab active' : 'tab'}
            onClick={() => setTab('deliveries')}
          >
            Delivery logs
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'tests'}
            class={tab === 'tests' ? 'tab active' : 'tab'}
            onClick={() => setTab('tests')}
          >
            Test events{tests.length ? ` (${tests.length})` : ''}
          </button>
        </div>
        {tab === 'failures' && <FailureLogs webhookId={w.id} groups={groups} />}
        {tab === 'deliveries' && <DeliveryLogs webhookId={w.id} open={props.delivery} />}
        {tab === 'tests' && <TestLog entries={tests} />}
      </section>
    </div>
  );
}
