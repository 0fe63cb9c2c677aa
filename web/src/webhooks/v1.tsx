// APIs & Webhooks → Webhooks → "Calling webhooks v1": the legacy calling
// webhooks (after_call | incall | disposition) of /api/v1/webhooks, with a
// notice that v1 is deprecated in favour of v2 (from the answers' Deprecation,
// Sunset and Warning). List, add/edit in a dialog with the server's field
// errors inline, enable/disable and delete.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FieldError, V1Notice, V1Webhook } from '../api';
import { ApiError, api } from '../api';
import { href } from '../router';
import { readableDate } from '../attempt-errors';
import { useUnsavedChanges } from '../leave-guard';
import {
  ConfirmModal,
  ErrorBanner,
  KebabMenu,
  Modal,
  StatusPill,
  WarningIcon,
  relativeTime,
  useConfirmAction,
  useToast,
} from '../ui';
import { DeliveriesTable, LOG_PAGE, LogFooter, usePagedLog } from './logs';
import { RowsEditor } from './form';
import { FieldMessage } from '../fields';
import { bannerFor, errorsOf, isAt, messageFor } from '../form-errors';
import { WebhooksTabs } from './list';
import {
  MAX_V1_PARAMS,
  V1_FIELDS,
  V1_TYPES,
  emptyV1Form,
  v1Body,
  v1FormChanged,
  v1FormFrom,
  v1ShownInline,
  v1TypeLabel,
  type V1Form,
} from './v1-model';

// The server's sunset (an HTTP date) as a sentence, and its past-the-sunset
// warning (written for operators) as what it means for the admin.
function sunsetSentence(sunset: string | null): string {
  if (!sunset) return '';
  const at = new Date(sunset).getTime();
  if (Number.isNaN(at)) return '';
  return at > Date.now()
    ? `They stop on ${readableDate(sunset)}. `
    : `Their end date was ${readableDate(sunset)}. `;
}

function warningSentence(warning: string | null): string | null {
  if (!warning) return null;
  if (/no longer sends/i.test(warning)) return 'This server no longer sends v1 calling webhooks.';
  if (/continue/i.test(warning)) return 'This server still sends them for now, but may stop at any time.';
  return null;
}

function DeprecationNotice({ notice }: { notice: V1Notice | null }) {
  const warning = warningSentence(notice?.warning ?? null);
  return (
    <div class="banner banner-warning" role="note" data-testid="v1-deprecation">
      <strong>Calling webhooks v1 are deprecated.</strong> {sunsetSentence(notice?.sunset ?? null)}
      {warning && `${warning} `}
      New integrations should use <a href={href.webhooks}>Webhooks v2</a>: every call and WhatsApp event,
      signed deliveries, retries and logs.
    </div>
  );
}

function V1FormDialog(props: { webhook: V1Webhook | null; onSaved: (w: V1Webhook) => void; onClose: () => void }) {
  const editing = props.webhook !== null;
  const toast = useToast();
  const initial = useMemo(() => (props.webhook ? v1FormFrom(props.webhook) : emptyV1Form()), [props.webhook]);
  const [form, setForm] = useState<V1Form>(initial);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const changed = v1FormChanged(initial, form);
  const unsaved = useUnsavedChanges(changed);
  const close = () => unsaved.confirmThen(props.onClose);

  const clearFor = (path: string) => setErrors((list) => list.filter((e) => !isAt(e.field, path)));
  const set = (patch: Partial<V1Form>, edited?: string) => {
    setForm({ ...form, ...patch });
    if (edited) clearFor(edited);
  };

  const save = async (e?: Event) => {
    e?.preventDefault();
    if (!changed || saving) return;
    setSaving(true);
    setBanner(null);
    try {
      const body = v1Body(form);
      const saved = editing ? await api.v1.update(props.webhook!.id, body) : await api.v1.create(body);
      toast(editing ? 'v1 webhook updated' : 'v1 webhook created');
      unsaved.release();
      props.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError) {
        const list = errorsOf(err);
        setErrors(list);
        setBanner(bannerFor(err, list, (field) => v1ShownInline(field, form), false));
      } else {
        setBanner((err as Error).message);
      }
    } finally {
      setSaving(false);
    }
  };

  const urlError = messageFor(errors, 'url');
  return (
    <>
    <Modal
      title={editing ? 'Edit v1 webhook' : 'Add v1 webhook'}
      wide
      onClose={close}
      footer={
        <>
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" form="v1-form" class="primary" disabled={!changed || saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form id="v1-form" class="v1-form" onSubmit={save} noValidate>
        <ErrorBanner error={banner} />
        <div class="form-grid">
          <label class="field">
            <span class="label">
              Webhook type <span class="required" aria-hidden="true">*</span>
            </span>
            <select
              value={form.type}
              onChange={(e) => set({ type: (e.target as HTMLSelectElement).value as V1Form['type'] }, 'type')}
            >
              {V1_TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label} ({t.value})
                </option>
              ))}
            </select>
            <span class="muted small">{V1_TYPES.find((t) => t.value === form.type)?.description}</span>
          </label>
          <label class="field">
            <span class="label">Method</span>
            <select
              value={form.method}
              onChange={(e) => set({ method: (e.target as HTMLSelectElement).value as V1Form['method'] }, 'method')}
            >
              <option value="POST">POST (JSON body)</option>
              <option value="GET">GET (fields as query parameters)</option>
            </select>
          </label>
        </div>
        <FieldMessage text={[messageFor(errors, 'type'), messageFor(errors, 'method')].filter(Boolean).join(' ') || undefined} />

        <label class="field">
          <span class="label">
            Target URL <span class="required" aria-hidden="true">*</span>
          </span>
          <input
            type="url"
            aria-required="true"
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? 'v1-url-error' : undefined}
            class={urlError ? 'invalid' : ''}
            placeholder="https://"
            value={form.url}
            onInput={(e) => set({ url: (e.target as HTMLInputElement).value }, 'url')}
          />
        </label>
        <FieldMessage text={urlError} id="v1-url-error" />

        <div class="two-panel">
          <fieldset class="field">
            <legend class="label">Headers</legend>
            <RowsEditor
              rows={form.headers}
              max={MAX_V1_PARAMS}
              rowLabel="header"
              keyLabel="Header name"
              valueLabel="Header value"
              valueType="password"
              addLabel="+ Add Header"
              pathPrefix="headers"
              keyName="key"
              errors={errors}
              checkDuplicates
              onChange={(headers) => set({ headers })}
              onEdited={clearFor}
            />
          </fieldset>
          <fieldset class="field">
            <legend class="label">Query parameters</legend>
            <RowsEditor
              rows={form.query}
              max={MAX_V1_PARAMS}
              rowLabel="query parameter"
              keyLabel="Parameter name"
              valueLabel="Parameter value"
              valueType="password"
              addLabel="+ Add Query Parameter"
              pathPrefix="query"
              keyName="key"
              errors={errors}
              onChange={(query) => set({ query })}
              onEdited={clearFor}
            />
          </fieldset>
        </div>
        <p class="muted small">
          Header and parameter values are stored sealed and shown masked; a masked value is kept as it is, unless the URL
          moves to another host, port or scheme: then type each value again or remove it.
        </p>

        <fieldset class="field">
          <legend class="label">Fields sent</legend>
          <div class="checks" role="group" aria-label="Fields sent">
            <span class="muted small">The legacy payload's fields (none selected: all of them)</span>
            {V1_FIELDS.map((f) => (
              <label key={f} class="check mono">
                <input
                  type="checkbox"
                  checked={form.fields.includes(f)}
                  onChange={(e) =>
                    set(
                      {
                        fields: (e.target as HTMLInputElement).checked
                          ? [...form.fields, f]
                          : form.fields.filter((x) => x !== f),
                      },
                      'fields',
                    )
                  }
                />
                {f}
              </label>
            ))}
          </div>
          <FieldMessage text={messageFor(errors, 'fields', true)} />
        </fieldset>

        <label class="check">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked }, 'enabled')}
          />
          Enabled
        </label>
        <FieldMessage text={messageFor(errors, 'enabled')} />
      </form>
    </Modal>
    {unsaved.modal}
    </>
  );
}

// One v1 webhook's deliveries (pending, delivered, dropped after its 3
// retries), newest first, a page at a time with "Load more".
function V1Deliveries(props: { webhook: V1Webhook; label: string; onClose: () => void }) {
  const query = new URLSearchParams({ limit: String(LOG_PAGE) });
  const log = usePagedLog((q) => api.v1.deliveries(props.webhook.id, q), query, [props.webhook.id]);
  return (
    <Modal title="v1 deliveries" wide onClose={props.onClose}>
      <p class="muted small">{props.label}</p>
      <ErrorBanner error={log.error} />
      {!log.rows && !log.error && <p class="muted">Loading…</p>}
      {log.rows && log.rows.length === 0 && <p class="muted empty-row">No deliveries yet.</p>}
      {log.rows && log.rows.length > 0 && (
        <DeliveriesTable rows={log.rows} label="v1 deliveries" withNextAttempt={false} />
      )}
      <LogFooter log={log} noun="deliveries" />
    </Modal>
  );
}

function V1DeliveriesButton({ webhook }: { webhook: V1Webhook }) {
  const [shown, setShown] = useState(false);
  const label = `${v1TypeLabel(webhook.type)} webhook to ${webhook.url}`;
  return (
    <>
      <button type="button" class="link-button" aria-label={`View deliveries of the ${label}`} onClick={() => setShown(true)}>
        View deliveries
      </button>
      {shown && <V1Deliveries webhook={webhook} label={label} onClose={() => setShown(false)} />}
    </>
  );
}

function V1Actions(props: {
  webhook: V1Webhook;
  onEdit: () => void;
  onChanged: (w: V1Webhook) => void;
  onDeleted: () => void;
}) {
  const toast = useToast();
  const [modal, setModal] = useState<'disable' | 'delete' | null>(null);
  const action = useConfirmAction(() => setModal(null));
  const w = props.webhook;
  const open = (which: 'disable' | 'delete') => {
    action.reset();
    setModal(which);
  };
  const enable = async () => {
    try {
      props.onChanged(await api.v1.enable(w.id));
      toast('v1 webhook enabled');
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const label = `${v1TypeLabel(w.type)} webhook to ${w.url}`;
  return (
    <>
      <KebabMenu
        label={`Actions for ${label}`}
        items={[
          { label: 'Edit', onSelect: props.onEdit },
          w.enabled ? { label: 'Disable', onSelect: () => open('disable') } : { label: 'Enable', onSelect: enable },
          { label: 'Delete', danger: true, onSelect: () => open('delete') },
        ]}
      />
      {modal === 'disable' && (
        <ConfirmModal
          title="Disable v1 webhook"
          confirmLabel="Yes"
          busy={action.busy}
          error={action.error}
          onClose={() => setModal(null)}
          onConfirm={() =>
            action.run(async () => {
              props.onChanged(await api.v1.disable(w.id));
              toast('v1 webhook disabled');
            })
          }
        >
          <p>Are you sure you want to disable this v1 webhook?</p>
          <p class="muted small">
            No {v1TypeLabel(w.type).toLowerCase()} calls are sent to <span class="mono">{w.url}</span> while it is
            disabled.
          </p>
        </ConfirmModal>
      )}
      {modal === 'delete' && (
        <ConfirmModal
          title="Delete v1 webhook"
          confirmLabel="Delete"
          icon={<WarningIcon />}
          danger
          busy={action.busy}
          error={action.error}
          onClose={() => setModal(null)}
          onConfirm={() =>
            action.run(async () => {
              await api.v1.remove(w.id);
              toast('v1 webhook deleted');
              props.onDeleted();
            })
          }
        >
          <p class="warning-text">This action permanently deletes the webhook.</p>
          <p class="muted small">The {label} is removed; this cannot be undone.</p>
        </ConfirmModal>
      )}
    </>
  );
}

export function WebhooksV1() {
  const [webhooks, setWebhooks] = useState<V1Webhook[] | null>(null);
  const [notice, setNotice] = useState<V1Notice | null>(null);
  const [error, setError] = useState<string | null>(null);
  // null: no dialog; 'new': add; a webhook: edit it.
  const [editing, setEditing] = useState<V1Webhook | 'new' | null>(null);

  const load = async () => {
    try {
      const { webhooks: list, notice: n } = await api.v1.list();
      setWebhooks(list);
      setNotice(n);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const replace = (w: V1Webhook) =>
    setWebhooks((list) => (list?.some((x) => x.id === w.id) ? list.map((x) => (x.id === w.id ? w : x)) : [...(list ?? []), w]));
  const remove = (id: string) => setWebhooks((list) => list?.filter((x) => x.id !== id) ?? null);

  return (
    <div class="page">
      <div class="page-header">
        <h1>Webhooks</h1>
        {webhooks && webhooks.length > 0 && (
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            + Add v1 Webhook
          </button>
        )}
      </div>
      <WebhooksTabs tab="v1" />
      <DeprecationNotice notice={notice} />
      <ErrorBanner error={error} />
      {!webhooks && !error && <p class="muted">Loading…</p>}
      {webhooks && webhooks.length === 0 && (
        <div class="card empty">
          <h3>No v1 calling webhooks</h3>
          <p class="muted">Legacy call notifications (after call, in-call, disposition) for older integrations.</p>
          <button type="button" class="secondary" onClick={() => setEditing('new')}>
            Create v1 Webhook
          </button>
        </div>
      )}
      {webhooks && webhooks.length > 0 && (
        <div class="card table-card">
          <table class="table table-stack" aria-label="Calling webhooks v1">
            <thead>
              <tr>
                <th>Type</th>
                <th>Endpoint</th>
                <th>Fields</th>
                <th>Status</th>
                <th>Updated</th>
                <th>Deliveries</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.id} data-v1-webhook-id={w.id}>
                  <td class="cell-title">
                    {v1TypeLabel(w.type)} <span class="muted small mono">{w.type}</span>
                  </td>
                  <td data-label="Endpoint" class="mono truncate" title={w.url}>
                    <span class="muted">{w.method}</span> {w.url}
                  </td>
                  <td data-label="Fields">{w.fields.length ? w.fields.join(', ') : <span class="muted">all</span>}</td>
                  <td data-label="Status">
                    <StatusPill status={w.enabled ? 'active' : 'inactive'} />
                  </td>
                  <td data-label="Updated" class="muted small">{relativeTime(w.updated_at)}</td>
                  <td data-label="Deliveries">
                    <V1DeliveriesButton webhook={w} />
                  </td>
                  <td class="cell-actions">
                    <V1Actions
                      webhook={w}
                      onEdit={() => setEditing(w)}
                      onChanged={replace}
                      onDeleted={() => remove(w.id)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <V1FormDialog
          webhook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(w) => {
            replace(w);
            setEditing(null);
          }}
        />
      )}
    </div>
  );
}
