// Settings (issue 17 item 10): Permissions, the owner's switch that lets
// managers manage webhooks (PUT /api/v2/permissions; others see it read-only),
// and API tokens: create a token for a user of the company (it acts with that
// user's role: admin, manager, agent) or an ingest token (publishing only),
// shown once; the list with last use and status; revoke. Data retention
// (owners and admins) is retention.tsx; alert channels (owners and admins)
// have their own screen (alerts/alert-channels.tsx), linked from here.
import { useEffect, useState } from 'preact/hooks';
import type { ApiToken, Me, User } from './api';
import { api } from './api';
import { ConfirmModal, ErrorBanner, formatTime, relativeTime, useToast } from './ui';
import { copyText } from './webhooks/delivery-panel';
import { RetentionSettings } from './retention';
import { href } from './router';

const EXPIRIES: [string, number | undefined][] = [
  ['Never expires', undefined],
  ['30 days', 30 * 86400],
  ['90 days', 90 * 86400],
  ['365 days', 365 * 86400],
];

function Permissions({ me }: { me: Me }) {
  const [on, setOn] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const owner = me.permissions.set_permissions;
  useEffect(() => {
    api.permissions().then((p) => setOn(p.managers_can_manage_webhooks), (e: Error) => setError(e.message));
  }, []);
  const change = async (value: boolean) => {
    setError(null);
    try {
      setOn((await api.setPermissions(value)).managers_can_manage_webhooks);
      toast(value ? 'Managers can now manage webhooks' : 'Only owners and admins manage webhooks now');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-label="Permissions">
      <div class="card-title">
        <h3>Permissions</h3>
      </div>
      <ErrorBanner error={error} />
      {on !== null && (
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={on}
            checked={on}
            disabled={!owner}
            onChange={(e) => change((e.target as HTMLInputElement).checked)}
          />
          <span class="switch-track" aria-hidden="true" />
          Managers can manage webhooks
        </label>
      )}
      <p class="muted small">
        {owner
          ? 'Owners and admins always manage webhooks; this lets managers add, edit and delete them too.'
          : 'Only the owner can change this.'}
      </p>
    </section>
  );
}

function NewToken(props: { users: User[]; ingest: boolean; onCreated: (t: ApiToken) => void }) {
  const [who, setWho] = useState(props.ingest ? 'ingest' : '');
  const [expiry, setExpiry] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const seconds = EXPIRIES[Number(expiry)][1];
      props.onCreated(who === 'ingest' ? await api.createIngestToken(seconds) : await api.createToken(who, seconds));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="replay-form" role="group" aria-label="New token">
      <label>
        <span class="label">Token for</span>
        <select aria-label="Token for" value={who} onChange={(e) => setWho((e.target as HTMLSelectElement).value)}>
          {props.ingest && <option value="ingest">Publishing events only (ingest)</option>}
          {!props.ingest && <option value="">Pick a user</option>}
          {props.users
            .filter((u) => u.active !== false)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.role})
              </option>
            ))}
        </select>
      </label>
      <label>
        <span class="label">Expires</span>
        <select aria-label="Expires" value={expiry} onChange={(e) => setExpiry((e.target as HTMLSelectElement).value)}>
          {EXPIRIES.map(([label], i) => (
            <option key={label} value={String(i)}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="primary" disabled={busy || !who} onClick={create}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

function Tokens({ me }: { me: Me }) {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const load = async () => {
    try {
      const all: ApiToken[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.tokens(cursor);
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < 1000);
      setTokens(all.reverse()); // newest first
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    load();
    api.users().then((p) => setUsers(p.data), () => setUsers([]));
  }, []);
  const userName = new Map(users.map((u) => [u.id, `${u.name} (${u.role})`]));
  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await api.revokeToken(revoking.id);
      toast('Token revoked: it no longer works');
      setRevoking(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-label="API tokens">
      <div class="card-title">
        <h3>API tokens</h3>
      </div>
      <p class="muted small">
        A token acts with its user's role; an ingest token may only publish events. A token is shown once, when it is
        created.
      </p>
      <NewToken
        users={users}
        ingest={!!me.permissions.create_ingest_tokens}
        onCreated={(t) => {
          setCreated(t);
          load();
        }}
      />
      {created?.token && (
        <div class="banner banner-warning" role="status" data-testid="new-token">
          <strong>Copy this token now:</strong> it is not shown again.
          <code class="mono break block">{created.token}</code>
          <button
            type="button"
            class="secondary small-button"
            onClick={() => copyText(created.token!).then(() => toast('Token copied'), (e: Error) => toast(e.message, 'error'))}
          >
            Copy token
          </button>
        </div>
      )}
      <ErrorBanner error={error} />
      {tokens && (
        <table class="table table-stack" aria-label="Tokens">
          <thead>
            <tr>
              <th>Token</th>
              <th>Acts as</th>
              <th>Status</th>
              <th>Last used</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token-id={t.id}>
                <td data-label="Token" class="mono">
                  {t.hint ? `${t.hint}…` : t.id}
                </td>
                <td data-label="Acts as">
                  {t.kind === 'ingest' ? 'Publishing events only' : userName.get(t.user_id ?? '') ?? t.user_id}
                </td>
                <td data-label="Status">
                  <span class={`pill pill-tone-${t.status === 'active' ? 'ok' : 'off'}`}>{t.status}</span>
                  {t.expires_at && t.status === 'active' && <span class="small"> until {formatTime(t.expires_at)}</span>}
                </td>
                <td data-label="Last used">{t.last_used_at ? relativeTime(t.last_used_at) : 'Never'}</td>
                <td data-label="Created">{formatTime(t.created_at)}</td>
                <td class="cell-actions">
                  {t.status === 'active' && (
                    <button type="button" class="secondary small-button" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.hint ?? t.id}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmModal
          title="Revoke token"
          confirmLabel="Revoke"
          danger
          busy={busy}
          error={error}
          onConfirm={revoke}
          onClose={() => setRevoking(null)}
        >
          <p>
            Anything using <span class="mono">{revoking.hint ?? revoking.id}…</span> stops working at once. This cannot
            be undone.
          </p>
        </ConfirmModal>
      )}
    </section>
  );
}

export function SettingsPage({ me }: { me: Me }) {
  return (
    <div class="page">
      <div class="page-header">
        <h1>Settings</h1>
      </div>
      <Permissions me={me} />
      {me.permissions.manage_users && <Tokens me={me} />}
      {(me.role === 'owner' || me.role === 'admin') && <RetentionSettings />}
      {(me.role === 'owner' || me.role === 'admin') && (
        <section class="card" aria-label="Alert channels">
          <div class="card-title">
            <h3>Alert channels</h3>
          </div>
          <p class="small">
            Who is told when a webhook fails, is turned off, degrades or recovers: alert webhooks and e-mail.{' '}
            <a href={href.alerts}>Manage alert channels</a>
          </p>
        </section>
      )}
    </div>
  );
}
