// Settings → Alert channels (issue 17 item 10; owners and admins): where the
// company's operational alerts go (issue 16: GET/POST/PATCH/DELETE
// /api/v2/alert-channels, GET/PATCH /api/v2/alert-settings). An alert
// webhook (HTTPS; its signing secret shown once, on creation) or an e-mail
// channel over SMTP (the password is write-only: never shown back, kept when
// left empty), the operational events each subscribes to, its last error, a
// test alert, and the degraded threshold. The server validates: its field
// errors are shown at the field. Editing asks before leaving unsaved changes.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AlertChannel, AlertSettings, FieldError } from '../api';
import { ApiError, api } from '../api';
import { useUnsavedChanges } from '../leave-guard';
import { href } from '../router';
import { ConfirmModal, ErrorBanner, WarningIcon, formatTime, relativeTime, useToast } from '../ui';
import { FieldMessage, TextField as SharedTextField } from '../fields';
import { bannerFor, errorsOf, isAt, messageFor } from '../form-errors';
import { revealSecret } from '../webhooks/secret';
import {
  ALERT_EVENTS,
  type ChannelForm,
  TLS_PORT,
  channelBody,
  channelState,
  emptyChannelForm,
  formFromChannel,
  formsEqual,
  shownAtField,
} from './alerts-model';

const STATE_TONE = { ok: 'ok', failed: 'bad', off: 'wait', idle: 'wait' } as const;

// The channel form's fields: ids "alert-<field>" (the tests find the
// server's messages by "alert-<field>-error").
function TextField(props: Omit<Parameters<typeof SharedTextField>[0], 'idPrefix'>) {
  return <SharedTextField {...props} idPrefix="alert" />;
}

function ChannelEditor(props: { channel: AlertChannel | null; onDone: (saved: AlertChannel | null) => void }) {
  const creating = !props.channel;
  const [initial] = useState<ChannelForm>(() => (props.channel ? formFromChannel(props.channel) : emptyChannelForm()));
  const [form, setForm] = useState<ChannelForm>(initial);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const changed = !formsEqual(form, initial);
  const unsaved = useUnsavedChanges(changed);
  const toast = useToast();
  const nameRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    nameRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);
  const set = (patch: Partial<ChannelForm>, field?: string) => {
    setForm({ ...form, ...patch });
    if (field) setErrors(errors.filter((e) => !isAt(e.field, field)));
  };
  const hasPassword = !!props.channel?.smtp?.password;
  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setBanner(null);
    try {
      const body = channelBody(form, creating ? 'create' : 'edit');
      const saved = creating
        ? await api.createAlertChannel(body)
        : await api.updateAlertChannel(props.channel!.id, body);
      unsaved.release();
      toast(creating ? 'Alert channel added' : 'Alert channel saved');
      if (saved.secret) revealSecret(saved.secret);
      props.onDone(saved);
    } catch (err) {
      if (err instanceof ApiError) {
        const list = errorsOf(err);
        setErrors(list);
        setBanner(bannerFor(err, list, shownAtField));
      } else {
        setBanner((err as Error).message);
      }
    } finally {
      setSaving(false);
    }
  };
  const title = creating ? 'Add alert channel' : `Edit ${props.channel!.name}`;
  return (
    <section class="card alert-editor" aria-label={title}>
      {unsaved.modal}
      <div class="card-title">
        <h3>{title}</h3>
      </div>
      <form onSubmit={save} noValidate>
        <ErrorBanner error={banner} />
        {creating ? (
          <fieldset class="field">
            <legend class="label">Send alerts by</legend>
            <div class="segmented" role="radiogroup" aria-label="Send alerts by">
              {(
                [
                  ['webhook', 'Webhook'],
                  ['email', 'E-mail'],
                ] as const
              ).map(([value, label]) => (
                <label key={value} class={form.kind === value ? 'selected' : ''}>
                  <input
                    type="radio"
                    name="kind"
                    value={value}
                    checked={form.kind === value}
                    onChange={() => set({ kind: value }, 'kind')}
                  />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
        ) : (
          <p class="small muted">{form.kind === 'webhook' ? 'Alert webhook' : 'E-mail over SMTP'}</p>
        )}
        <div ref={nameRef}>
          <TextField
            label="Name"
            field="name"
            required
            value={form.name}
            errors={errors}
            placeholder={form.kind === 'webhook' ? 'Pager' : 'Ops team'}
            onInput={(v) => set({ name: v }, 'name')}
          />
        </div>
        {form.kind === 'webhook' ? (
          <TextField
            label="Alert webhook URL"
            field="url"
            type="url"
            required
            value={form.url}
            errors={errors}
            placeholder="https://"
            hint={creating ? 'Alerts are signed like every delivery; the signing secret is shown once, after saving.' : undefined}
            onInput={(v) => set({ url: v }, 'url')}
          />
        ) : (
          <div class="smtp-fields">
            <TextField
              label="SMTP server"
              field="smtp.host"
              required
              value={form.host}
              errors={errors}
              placeholder="smtp.example.com"
              onInput={(v) => set({ host: v }, 'smtp.host')}
            />
            <fieldset class="field">
              <legend class="label">Encryption</legend>
              <div class="segmented" role="radiogroup" aria-label="Encryption">
                {(
                  [
                    ['starttls', 'STARTTLS'],
                    ['implicit', 'Implicit TLS'],
                  ] as const
                ).map(([value, label]) => (
                  <label key={value} class={form.tls === value ? 'selected' : ''}>
                    <input
                      type="radio"
                      name="tls"
                      value={value}
                      checked={form.tls === value}
                      onChange={() => set({ tls: value }, 'smtp.tls')}
                    />
                    {label}
                  </label>
                ))}
              </div>
            </fieldset>
            <FieldMessage text={messageFor(errors, 'smtp.tls', true)} />
            <TextField
              label="Port"
              field="smtp.port"
              inputMode="numeric"
              value={form.port}
              errors={errors}
              placeholder={String(TLS_PORT[form.tls])}
              hint={`Empty: ${TLS_PORT[form.tls]}, the usual port for ${form.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS'}.`}
              onInput={(v) => set({ port: v }, 'smtp.port')}
            />
            <TextField
              label="Username"
              field="smtp.username"
              value={form.username}
              errors={errors}
              onInput={(v) => set({ username: v }, 'smtp.username')}
            />
            <TextField
              label="Password"
              field="smtp.password"
              type="password"
              autoComplete="new-password"
              value={form.password}
              errors={errors}
              placeholder={hasPassword ? 'Unchanged' : ''}
              hint={
                hasPassword
                  ? 'A password is stored; it is never shown. Leave this empty to keep it, or type a new one.'
                  : 'Kept sealed on the server and never shown again.'
              }
              onInput={(v) => set({ password: v }, 'smtp.password')}
            />
            <TextField
              label="From address"
              field="smtp.from"
              type="email"
              required
              value={form.from}
              errors={errors}
              placeholder="alerts@example.com"
              onInput={(v) => set({ from: v }, 'smtp.from')}
            />
            <TextField
              label="Recipients"
              field="smtp.recipients"
              required
              multiline
              value={form.recipients}
              errors={errors}
              placeholder="ops@example.com"
              hint="One address per line (at most 10)."
              onInput={(v) => set({ recipients: v }, 'smtp.recipients')}
            />
          </div>
        )}
        <fieldset class="field">
          <legend class="label">Alert me when</legend>
          <ul class="event-list alert-events">
            {ALERT_EVENTS.map((e) => (
              <li key={e.event}>
                <label class="event-option">
                  <input
                    type="checkbox"
                    name="events"
                    value={e.event}
                    checked={form.events.includes(e.event)}
                    onChange={(ev) => {
                      const on = (ev.target as HTMLInputElement).checked;
                      const events = ALERT_EVENTS.map((a) => a.event).filter((x) =>
                        x === e.event ? on : form.events.includes(x),
                      );
                      set({ events }, 'events');
                    }}
                  />
                  <span>
                    <span class="event-label">{e.label}</span> <code class="muted small">{e.event}</code>
                    <span class="event-description">{e.hint}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <FieldMessage text={messageFor(errors, 'events', true)} />
        <label class="check field">
          <input
            type="checkbox"
            name="enabled"
            checked={form.enabled}
            onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked }, 'enabled')}
          />{' '}
          Send alerts to this channel
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={saving || (!creating && !changed)}>
            {saving ? 'Saving…' : creating ? 'Add channel' : 'Save channel'}
          </button>
          <button type="button" class="secondary" onClick={() => unsaved.confirmThen(() => props.onDone(null))}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function ChannelRow(props: {
  channel: AlertChannel;
  onEdit: () => void;
  onDelete: () => void;
  onTest: () => void;
  testing: boolean;
}) {
  const c = props.channel;
  const state = channelState(c);
  return (
    <tr data-channel-id={c.id}>
      <td data-label="Channel">
        <strong>{c.name}</strong>
        <div class="small muted">
          {c.kind === 'webhook' ? (
            <span class="mono break">{c.url}</span>
          ) : (
            <>E-mail to {c.smtp?.recipients.join(', ')}</>
          )}
        </div>
      </td>
      <td data-label="Alerts on">
        <span class="small">{c.events.length ? c.events.join(', ') : 'Nothing'}</span>
      </td>
      <td data-label="State" data-testid="channel-state">
        <span class={`pill pill-tone-${STATE_TONE[state.tone]}`}>{state.tone === 'failed' ? 'Failing' : state.text}</span>
        {state.tone === 'failed' && (
          <div class="small">
            {state.text}
            {c.last_failure_at && <> · {formatTime(c.last_failure_at)}</>}
          </div>
        )}
        {state.tone === 'ok' && c.last_success_at && <div class="small">{relativeTime(c.last_success_at)}</div>}
      </td>
      <td class="cell-actions alert-actions">
        <button type="button" class="secondary small-button" onClick={props.onTest} disabled={props.testing}>
          {props.testing ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" class="secondary small-button" onClick={props.onEdit} aria-label={`Edit ${c.name}`}>
          Edit
        </button>
        <button type="button" class="secondary small-button" onClick={props.onDelete} aria-label={`Delete ${c.name}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function DegradedThreshold() {
  const [current, setCurrent] = useState<AlertSettings | null>(null);
  const [form, setForm] = useState({ percent: '', attempts: '', minutes: '' });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const show = (s: AlertSettings) => {
    setCurrent(s);
    setForm({
      percent: String(s.degraded_below_percent),
      attempts: String(s.degraded_min_attempts),
      minutes: String(s.degraded_window_minutes),
    });
  };
  useEffect(() => {
    api.alertSettings().then(show, (e: Error) => setError(e.message));
  }, []);
  const changed =
    !!current &&
    (form.percent !== String(current.degraded_below_percent) ||
      form.attempts !== String(current.degraded_min_attempts) ||
      form.minutes !== String(current.degraded_window_minutes));
  const unsaved = useUnsavedChanges(changed);
  const asNumber = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : (s as unknown as number));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors([]);
    try {
      show(
        await api.setAlertSettings({
          degraded_below_percent: asNumber(form.percent),
          degraded_min_attempts: asNumber(form.attempts),
          degraded_window_minutes: asNumber(form.minutes),
        }),
      );
      toast('Degraded threshold saved');
    } catch (err) {
      if (err instanceof ApiError && errorsOf(err).length) setErrors(errorsOf(err));
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-label="Degraded threshold">
      {unsaved.modal}
      <div class="card-title">
        <h3>When is a webhook degraded?</h3>
      </div>
      <ErrorBanner error={error} />
      {current && (
        <form onSubmit={save} noValidate class="threshold-form">
          <p class="small">
            A webhook is degraded when under {current.degraded_below_percent} % of at least{' '}
            {current.degraded_min_attempts} attempts succeeded in {current.degraded_window_minutes} minutes.
          </p>
          <div class="threshold-fields">
            <TextField
              label="Success rate under (%)"
              field="degraded_below_percent"
              inputMode="numeric"
              value={form.percent}
              errors={errors}
              hint="1 to 100"
              onInput={(v) => setForm({ ...form, percent: v })}
            />
            <TextField
              label="Of at least (attempts)"
              field="degraded_min_attempts"
              inputMode="numeric"
              value={form.attempts}
              errors={errors}
              hint="1 to 100,000"
              onInput={(v) => setForm({ ...form, attempts: v })}
            />
            <TextField
              label="Within (minutes)"
              field="degraded_window_minutes"
              inputMode="numeric"
              value={form.minutes}
              errors={errors}
              hint="1 to 1,440"
              onInput={(v) => setForm({ ...form, minutes: v })}
            />
          </div>
          <button type="submit" class="primary" disabled={busy || !changed}>
            {busy ? 'Saving…' : 'Save threshold'}
          </button>
        </form>
      )}
    </section>
  );
}

export function AlertChannelsPage() {
  const [channels, setChannels] = useState<AlertChannel[] | null>(null);
  const [editing, setEditing] = useState<AlertChannel | 'new' | null>(null);
  const [deleting, setDeleting] = useState<AlertChannel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const toast = useToast();
  const load = () =>
    api.alertChannels().then(
      (r) => {
        setChannels(r.data);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    load();
  }, []);
  const closeEditor = (saved: AlertChannel | null) => {
    const was = editing;
    setEditing(null);
    if (saved) load();
    // Focus goes back where the editor was opened from.
    window.setTimeout(() => {
      const row = was && was !== 'new' ? document.querySelector<HTMLElement>(`[data-channel-id="${was.id}"] button[aria-label^="Edit"]`) : null;
      (row ?? addButton.current)?.focus();
    });
  };
  const test = async (c: AlertChannel) => {
    setTesting(c.id);
    try {
      const r = await api.testAlertChannel(c.id);
      if (r.queued) toast(`Test e-mail queued for ${c.smtp?.recipients.join(', ')}`);
      else if (r.delivered) toast(`Test alert delivered (HTTP ${r.status_code})`);
      else toast(`Test alert not delivered: ${r.error ?? (r.status_code ? `HTTP ${r.status_code}` : 'no answer')}`, 'error');
      load();
    } catch (e) {
      toast((e as Error).message, 'error');
    } finally {
      setTesting(null);
    }
  };
  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api.deleteAlertChannel(deleting.id);
      toast('Alert channel deleted');
      setDeleting(null);
      await load();
      addButton.current?.focus();
    } catch (e) {
      setDeleteError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const full = (channels?.length ?? 0) >= 10;
  return (
    <div class="page">
      <div class="page-header">
        <div>
          <a class="breadcrumb" href={href.settings}>
            ← Settings
          </a>
          <h1>Alert channels</h1>
        </div>
        <div class="actions">
          <button
            ref={addButton}
            type="button"
            class="primary"
            disabled={editing !== null || full}
            onClick={() => setEditing('new')}
          >
            + Add channel
          </button>
        </div>
      </div>
      <p class="muted">
        Get told when a webhook fails, is turned off, degrades or recovers: by a signed webhook to your own tools, or by
        e-mail. {full && 'A company has at most 10 channels.'}
      </p>
      <ErrorBanner error={error} />
      {editing !== null && (
        <ChannelEditor key={editing === 'new' ? 'new' : editing.id} channel={editing === 'new' ? null : editing} onDone={closeEditor} />
      )}
      {channels && (
        <section class="card" aria-label="Channels">
          {channels.length === 0 ? (
            <p class="muted" data-testid="no-channels">
              No alert channels yet: nobody is told when a webhook fails.
            </p>
          ) : (
            <table class="table table-stack" aria-label="Alert channels">
              <thead>
                <tr>
                  <th>Channel</th>
                  <th>Alerts on</th>
                  <th>State</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <ChannelRow
                    key={c.id}
                    channel={c}
                    testing={testing === c.id}
                    onEdit={() => setEditing(c)}
                    onDelete={() => {
                      setDeleteError(null);
                      setDeleting(c);
                    }}
                    onTest={() => test(c)}
                  />
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <DegradedThreshold />
      {deleting && (
        <ConfirmModal
          title="Delete alert channel"
          icon={<WarningIcon />}
          confirmLabel="Delete"
          danger
          busy={busy}
          error={deleteError}
          onConfirm={remove}
          onClose={() => setDeleting(null)}
        >
          <p>
            <strong>{deleting.name}</strong> stops receiving alerts. This action permanently deletes the channel.
          </p>
        </ConfirmModal>
      )}
    </div>
  );
}
