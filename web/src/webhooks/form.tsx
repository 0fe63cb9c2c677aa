// The two-panel Add/Edit form: endpoint details on the left, events on the
// right. Validation is the server's: its field errors are shown beside the
// field they name ("url", "headers[1].key"), the rest above the form.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { EventGroup, FieldError, KeyValue, Webhook } from '../api';
import { ApiError, api } from '../api';
import { href, navigate } from '../router';
import { useUnsavedChanges } from '../leave-guard';
import { ErrorBanner, useToast } from '../ui';
import { FieldMessage, TextField } from '../fields';
import { bannerFor, errorsOf, isAt, messageFor } from '../form-errors';
import { EventsPicker } from './events-picker';
import {
  DELIVERY_FIELDS,
  DELIVERY_LIMITS,
  MASKED,
  MAX_API_KEYS,
  hasDeliveryControls,
  inAdminWords,
  duplicateKeyErrors,
  MAX_HEADERS,
  emptyForm,
  formChanged,
  formFromWebhook,
  maskedCredentialPaths,
  originChanged,
  shownInline,
  webhookBody,
  type SecretDecision,
  type WebhookForm,
} from './form-model';
import { DirectoryPicker } from './directory-picker';
import { SecretPanel, revealSecret } from './secret';

export function RowsEditor(props: {
  rows: KeyValue[];
  max: number;
  rowLabel: string; // "header", "API key"
  keyLabel: string;
  valueLabel: string;
  valueType?: string;
  addLabel: string;
  pathPrefix: string; // "headers", "auth.keys", "query"
  keyName: 'key' | 'name';
  errors: FieldError[];
  mustReenter?: boolean; // the URL moves to another origin: masked values must be typed again
  checkDuplicates?: boolean; // flag a repeated key (case-insensitive) while typing
  onChange: (rows: KeyValue[]) => void;
  onEdited: (path: string) => void;
}) {
  const update = (i: number, patch: Partial<KeyValue>) => {
    props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    props.onEdited(`${props.pathPrefix}[${i}]`);
  };
  const local = props.checkDuplicates ? duplicateKeyErrors(props.rows, props.pathPrefix, props.keyName) : [];
  return (
    <div class="rows">
      {props.rows.map((row, i) => {
        const path = `${props.pathPrefix}[${i}]`;
        const keyError =
          messageFor(props.errors, `${path}.${props.keyName}`) ?? messageFor(local, `${path}.${props.keyName}`);
        const valueError = messageFor(props.errors, `${path}.value`);
        const rowError = messageFor(props.errors, path);
        const reenter = !!props.mustReenter && row.value === MASKED;
        return (
          <div class="row-block" key={i}>
            <div class="row">
              <input
                aria-label={`${props.keyLabel} ${i + 1}`}
                placeholder={props.keyLabel}
                value={row.key}
                class={keyError ? 'invalid' : ''}
                aria-invalid={keyError ? true : undefined}
                onInput={(e) => update(i, { key: (e.target as HTMLInputElement).value })}
              />
              <input
                aria-label={`${props.valueLabel} ${i + 1}`}
                placeholder={props.valueLabel}
                type={props.valueType ?? 'text'}
                value={row.value}
                class={valueError ? 'invalid' : reenter ? 'reenter' : ''}
                aria-invalid={valueError ? true : undefined}
                aria-required={reenter ? true : undefined}
                title={reenter ? 'Enter this value again for the new URL, or remove the row' : undefined}
                onInput={(e) => update(i, { value: (e.target as HTMLInputElement).value })}
              />
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove ${props.rowLabel} ${i + 1}`}
                onClick={() => {
                  props.onChange(props.rows.filter((_, j) => j !== i));
                  props.onEdited(props.pathPrefix);
                }}
              >
                ×
              </button>
            </div>
            <FieldMessage text={[keyError, valueError, rowError].filter(Boolean).join(' ') || undefined} />
          </div>
        );
      })}
      <button
        type="button"
        class="link-button"
        disabled={props.rows.length >= props.max}
        title={props.rows.length >= props.max ? `At most ${props.max}` : undefined}
        onClick={() => props.onChange([...props.rows, { key: '', value: '' }])}
      >
        {props.addLabel}
      </button>
      <FieldMessage text={messageFor(props.errors, props.pathPrefix)} />
    </div>
  );
}

export function WebhookFormPage(props: { id?: string }) {
  const editing = props.id !== undefined;
  const toast = useToast();
  const [groups, setGroups] = useState<EventGroup[] | null>(null);
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [initial, setInitial] = useState<WebhookForm | null>(null);
  const [form, setForm] = useState<WebhookForm | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const types = await api.eventTypes();
        const loaded = props.id ? await api.getWebhook(props.id) : null;
        if (!live) return;
        const start = loaded ? formFromWebhook(loaded, types.groups) : emptyForm();
        setGroups(types.groups);
        setWebhook(loaded);
        setInitial(start);
        setForm(start);
        setAdvancedOpen(hasDeliveryControls(start));
      } catch (e) {
        if (live) setBanner((e as Error).message);
      }
    })();
    return () => {
      live = false;
    };
  }, [props.id]);

  const changed = useMemo(() => !!form && !!initial && formChanged(initial, form), [form, initial]);
  const unsaved = useUnsavedChanges(changed);

  if (!form || !groups) {
    return (
      <div class="page">
        <ErrorBanner error={banner} />
        {!banner && <p class="muted">Loading…</p>}
      </div>
    );
  }

  const clearFor = (path: string) => setErrors((list) => list.filter((e) => !isAt(e.field, path)));
  const set = (patch: Partial<WebhookForm>, edited?: string) => {
    setForm({ ...form, ...patch });
    // An edited field's old message no longer describes it.
    if (edited) clearFor(edited);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!changed || saving) return;
    setSaving(true);
    setBanner(null);
    try {
      const body = webhookBody(form, editing ? 'edit' : 'create', movesOrigin);
      const saved = editing ? await api.updateWebhook(props.id!, body) : await api.createWebhook(body);
      setErrors([]);
      toast(editing ? 'Webhook updated' : 'Webhook created');
      unsaved.release();
      if (saved.secret) revealSecret(saved.secret);
      navigate(href.webhook(saved.id));
    } catch (err) {
      if (err instanceof ApiError) {
        const list = errorsOf(err).map(inAdminWords);
        setErrors(list);
        setBanner(bannerFor(err, list, (field) => shownInline(field, form)));
        if (list.some((x) => DELIVERY_FIELDS.some((f) => isAt(x.field, f)))) setAdvancedOpen(true);
      } else {
        setBanner((err as Error).message);
      }
    } finally {
      setSaving(false);
    }
  };

  const urlError = messageFor(errors, 'url');
  // An edit that moves the URL to another origin: the stored credentials are
  // not sent there unless typed again, and the secret must be decided.
  const movesOrigin = editing && !!initial && originChanged(initial, form);
  const toReenter = movesOrigin ? maskedCredentialPaths(form) : [];
  const askSecret = movesOrigin && !!webhook?.has_secret;
  const title = editing ? `Edit Webhook${webhook?.name ? ': ' + webhook.name : ''}` : 'Add New Webhook';

  return (
    <>
    {unsaved.modal}
    <form class="page webhook-form" onSubmit={save} noValidate>
      <div class="page-header">
        <div>
          <a class="breadcrumb" href={editing ? href.webhook(props.id!) : href.webhooks}>
            ← Webhooks
          </a>
          <h1>{title}</h1>
        </div>
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => navigate(editing ? href.webhook(props.id!) : href.webhooks)}
          >
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!changed || saving}>
            {saving ? 'Saving…' : 'Save Webhook'}
          </button>
        </div>
      </div>
      <ErrorBanner error={banner} />
      <div class="two-panel">
        <section class="card" aria-label="Endpoint details">
          <div class="card-title">
            <h3>Endpoint details</h3>
          </div>

          <label class="field">
            <span class="label">
              Webhook URL <span class="required" aria-hidden="true">*</span>
            </span>
            <input
              name="url"
              type="url"
              required
              aria-required="true"
              aria-invalid={urlError ? true : undefined}
              aria-describedby={urlError ? 'url-error' : undefined}
              class={urlError ? 'invalid' : ''}
              placeholder="https://"
              value={form.url}
              onInput={(e) => set({ url: (e.target as HTMLInputElement).value }, 'url')}
            />
          </label>
          <FieldMessage text={urlError} id="url-error" />
          {movesOrigin && (toReenter.length > 0 || askSecret) && (
            <p class="notice" role="note" data-testid="origin-notice">
              This URL is on another host (scheme, host or port): stored credentials are not sent there.
              {toReenter.length > 0 && ' Enter the password, API key and header values again, or remove them.'}
              {askSecret && ' Choose below whether to rotate or keep the signing secret.'}
            </p>
          )}

          <label class="field">
            <span class="label">Name</span>
            <input
              name="name"
              value={form.name}
              placeholder="CRM sync"
              onInput={(e) => set({ name: (e.target as HTMLInputElement).value }, 'name')}
            />
          </label>
          <FieldMessage text={messageFor(errors, 'name')} />

          <label class="field">
            <span class="label">Description</span>
            <textarea
              name="description"
              rows={2}
              value={form.description}
              onInput={(e) => set({ description: (e.target as HTMLTextAreaElement).value }, 'description')}
            />
          </label>
          <FieldMessage text={messageFor(errors, 'description')} />

          <fieldset class="field">
            <legend class="label">Authentication</legend>
            <div class="segmented" role="radiogroup" aria-label="Authentication">
              {(
                [
                  ['none', 'None'],
                  ['basic', 'Basic'],
                  ['api_key', 'API Key'],
                ] as const
              ).map(([value, label]) => (
                <label key={value} class={form.authType === value ? 'selected' : ''}>
                  <input
                    type="radio"
                    name="auth"
                    value={value}
                    checked={form.authType === value}
                    onChange={() => set({ authType: value }, 'auth')}
                  />
                  {label}
                </label>
              ))}
            </div>
            {form.authType === 'basic' && (
              <div class="sub-fields">
                <label class="field">
                  <span class="label">Username</span>
                  <input
                    value={form.username}
                    autoComplete="off"
                    onInput={(e) => set({ username: (e.target as HTMLInputElement).value }, 'auth.username')}
                  />
                </label>
                <FieldMessage text={messageFor(errors, 'auth.username')} />
                <label class="field">
                  <span class="label">Password</span>
                  <input
                    type="password"
                    value={form.password}
                    autoComplete="new-password"
                    class={toReenter.includes('auth.password') ? 'reenter' : ''}
                    aria-required={toReenter.includes('auth.password') ? true : undefined}
                    onInput={(e) => set({ password: (e.target as HTMLInputElement).value }, 'auth.password')}
                  />
                </label>
                <FieldMessage text={messageFor(errors, 'auth.password')} />
              </div>
            )}
            {form.authType === 'api_key' && (
              <div class="sub-fields">
                <label class="field">
                  <span class="label">Send keys as</span>
                  <select
                    value={form.apiKeyLocation}
                    onChange={(e) =>
                      set(
                        { apiKeyLocation: (e.target as HTMLSelectElement).value as 'header' | 'query' },
                        'auth.location',
                      )
                    }
                  >
                    <option value="header">Header</option>
                    <option value="query">Query parameter</option>
                  </select>
                </label>
                <RowsEditor
                  rows={form.apiKeys}
                  max={MAX_API_KEYS}
                  rowLabel="API key"
                  keyLabel="Key name"
                  valueLabel="Key value"
                  valueType="password"
                  addLabel="+ Add API Key"
                  pathPrefix="auth.keys"
                  keyName="name"
                  errors={errors}
                  mustReenter={movesOrigin}
                  onChange={(apiKeys) => set({ apiKeys })}
                  onEdited={clearFor}
                />
              </div>
            )}
            <FieldMessage
              text={[messageFor(errors, 'auth'), messageFor(errors, 'auth.type'), messageFor(errors, 'auth.location')]
                .filter(Boolean)
                .join(' ') || undefined}
            />
          </fieldset>

          <fieldset class="field">
            <legend class="label">Custom headers</legend>
            <RowsEditor
              rows={form.headers}
              max={MAX_HEADERS}
              rowLabel="header"
              keyLabel="Header name"
              valueLabel="Header value"
              addLabel="+ Add Header"
              pathPrefix="headers"
              keyName="key"
              errors={errors}
              checkDuplicates
              mustReenter={movesOrigin}
              onChange={(headers) => set({ headers })}
              onEdited={clearFor}
            />
          </fieldset>

          <fieldset class="field">
            <legend class="label">Filters</legend>
            <div class="checks" role="group" aria-label="Call direction">
              <span class="muted small">Call direction (none: all)</span>
              {['inbound', 'outbound'].map((d) => (
                <label key={d} class="check">
                  <input
                    type="checkbox"
                    checked={form.direction.includes(d)}
                    onChange={(e) =>
                      set(
                        {
                          direction: (e.target as HTMLInputElement).checked
                            ? [...form.direction, d]
                            : form.direction.filter((x) => x !== d),
                        },
                        'filters.direction',
                      )
                    }
                  />
                  {d === 'inbound' ? 'Inbound' : 'Outbound'}
                </label>
              ))}
            </div>
            <FieldMessage text={messageFor(errors, 'filters.direction', true)} />
            <DirectoryPicker
              kind="departments"
              label="Departments"
              value={form.departmentIds}
              onChange={(departmentIds) => set({ departmentIds }, 'filters.department_ids')}
              error={messageFor(errors, 'filters.department_ids', true)}
            />
            <DirectoryPicker
              kind="agents"
              label="Agents"
              value={form.agentIds}
              onChange={(agentIds) => set({ agentIds }, 'filters.agent_ids')}
              error={messageFor(errors, 'filters.agent_ids', true)}
            />
            <FieldMessage text={messageFor(errors, 'filters')} />
          </fieldset>

          <fieldset class="field">
            <legend class="label">Signing secret</legend>
            {editing && webhook && askSecret ? (
              <div class="checks" role="radiogroup" aria-label="Signing secret for the new URL">
                {(
                  [
                    ['generate', 'Rotate: generate a new secret for the new URL (shown once after saving)'],
                    ['keep', 'Keep the current secret'],
                  ] as const
                ).map(([value, label]) => (
                  <label key={value} class="check">
                    <input
                      type="radio"
                      name="secret-decision"
                      value={value}
                      checked={form.secretDecision === value}
                      onChange={() => set({ secretDecision: value as SecretDecision }, 'secret')}
                    />
                    {label}
                  </label>
                ))}
              </div>
            ) : editing && webhook ? (
              <SecretPanel webhook={webhook} onChanged={setWebhook} />
            ) : (
              <label class="check">
                <input
                  type="checkbox"
                  checked={form.secret === 'generate'}
                  onChange={(e) =>
                    set({ secret: (e.target as HTMLInputElement).checked ? 'generate' : 'none' }, 'secret')
                  }
                />
                Generate a secret to sign deliveries (shown once after saving)
              </label>
            )}
            <FieldMessage text={messageFor(errors, 'secret')} />
          </fieldset>

          <details
            class="field advanced"
            open={advancedOpen}
            onToggle={(e) => setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)}
          >
            <summary class="label">Advanced: delivery controls</summary>
            <p class="muted small">
              How Switchboard sends to this endpoint. Leave a field empty for the default. Events of one call are
              always sent one at a time, in order.
            </p>
            <div class="advanced-fields">
              <TextField
                label="Request timeout (ms)"
                field="timeout_ms"
                idPrefix="webhook"
                inputMode="numeric"
                value={form.timeoutMs}
                errors={errors}
                placeholder={String(DELIVERY_LIMITS.timeout_ms.default)}
                hint="How long one delivery may take, 1,000 to 30,000 ms. Empty: 30,000."
                onInput={(v) => set({ timeoutMs: v }, 'timeout_ms')}
              />
              <TextField
                label="Deliveries in flight at once"
                field="max_in_flight"
                idPrefix="webhook"
                inputMode="numeric"
                value={form.maxInFlight}
                errors={errors}
                placeholder={String(DELIVERY_LIMITS.max_in_flight.default)}
                hint="1 to 32. Empty: 32."
                onInput={(v) => set({ maxInFlight: v }, 'max_in_flight')}
              />
              <TextField
                label="Deliveries per second at most"
                field="max_rate"
                idPrefix="webhook"
                inputMode="numeric"
                value={form.maxRate}
                errors={errors}
                placeholder="Unlimited"
                hint="1 to 10,000, for an endpoint that cannot take bursts. Empty: unlimited."
                onInput={(v) => set({ maxRate: v }, 'max_rate')}
              />
            </div>
          </details>
        </section>

        <EventsPicker
          groups={groups}
          selected={form.events}
          onChange={(events) => set({ events }, 'events')}
          error={messageFor(errors, 'events', true)}
        />
      </div>
    </form>
    </>
  );
}
