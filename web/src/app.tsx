// The dashboard shell: sign-in with an API token (kept in sessionStorage),
// the navigation the signed-in role may use, and the pages.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Me } from './api';
import { ApiError, api, setUnauthorizedHandler, storeToken, storedToken } from './api';
import { href, useRoute } from './router';
import { ErrorBanner, ToastProvider } from './ui';
import { WebhookDetail } from './webhooks/detail';
import { WebhookFormPage } from './webhooks/form';
import { WebhooksList } from './webhooks/list';
import { WebhooksV1 } from './webhooks/v1';
import { SecretReveal } from './webhooks/secret';
import { CallLogs } from './live/call-logs';
import { SearchPage } from './search';
import { SettingsPage } from './settings';
import { DeliveryHealth, managesAlerts, showsHealth } from './home';
import { AlertChannelsPage } from './alerts/alert-channels';

function SignIn(props: { onSignedIn: (me: Me) => void; notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.me(token.trim());
      storeToken(token.trim());
      props.onSignedIn(me);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Switchboard
        </div>
        <h1>Sign in</h1>
        {props.notice && <p class="banner">{props.notice}</p>}
        <label class="field">
          <span class="label">API token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            placeholder="sbt_…"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </label>
        <ErrorBanner error={error} />
        <button type="submit" class="primary wide" disabled={busy || !token.trim()}>
          Sign in
        </button>
        <p class="muted small">
          Use the API token your company's owner gave you (the owner's own token is shown once, when Switchboard is
          first started). It stays in this browser tab only.
        </p>
      </form>
    </main>
  );
}

function Home({ me }: { me: Me }) {
  return (
    <div class="page">
      <div class="page-header">
        <h1>Welcome{me.user ? `, ${me.user.name}` : ''}</h1>
      </div>
      <div class="card">
        <dl class="facts">
          <dt>Company</dt>
          <dd>{me.company.name}</dd>
          <dt>Role</dt>
          <dd data-testid="role">{me.role}</dd>
        </dl>
        <p>
          Watch calls ring, connect and end in <a href={href.calls}>Call Logs</a>.
        </p>
        {me.permissions.manage_webhooks ? (
          <p>
            Manage where call and WhatsApp events are delivered under <a href={href.webhooks}>APIs &amp; Webhooks</a>.
          </p>
        ) : (
          <p class="muted">Your role has no settings to manage here.</p>
        )}
      </div>
      {showsHealth(me) && <DeliveryHealth alerts={managesAlerts(me)} />}
    </div>
  );
}

function NoAccess() {
  return (
    <div class="page">
      <div class="card empty">
        <h3>Not available for your role</h3>
        <p class="muted">Ask an owner or admin for access to webhooks.</p>
      </div>
    </div>
  );
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const route = useRoute();
  const canWebhooks = me.permissions.manage_webhooks;
  const inWebhooks = route.page !== 'home' && route.page !== 'calls' && route.page !== 'search' && route.page !== 'settings' && route.page !== 'alerts';
  const canSettings = me.permissions.manage_users || me.permissions.set_permissions;
  // Narrow screens: the sidebar is a drawer behind the topbar's Menu button.
  const [navOpen, setNavOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);
  const closeNav = (returnFocus: boolean) => {
    setNavOpen(false);
    if (returnFocus) menuButton.current?.focus();
  };
  useEffect(() => setNavOpen(false), [route]);
  useEffect(() => {
    if (!navOpen) return;
    sidebar.current?.querySelector<HTMLElement>('a')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && closeNav(true);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navOpen]);
  let page;
  if (route.page === 'home') page = <Home me={me} />;
  else if (route.page === 'calls') page = <CallLogs />;
  else if (route.page === 'settings') page = canSettings ? <SettingsPage me={me} /> : <NoAccess />;
  else if (route.page === 'alerts') page = managesAlerts(me) ? <AlertChannelsPage /> : <NoAccess />;
  else if (!canWebhooks) page = <NoAccess />;
  else if (route.page === 'webhooks') page = route.tab === 'v1' ? <WebhooksV1 /> : <WebhooksList />;
  else if (route.page === 'webhook-new') page = <WebhookFormPage key="new" />;
  else if (route.page === 'webhook-edit') page = <WebhookFormPage key={route.id} id={route.id} />;
  else if (route.page === 'search') page = <SearchPage key={route.q} q={route.q} />;
  else page = <WebhookDetail id={route.id} delivery={route.delivery} />;

  return (
    <div class={navOpen ? 'shell nav-open' : 'shell'}>
      <aside class="sidebar" id="sidebar" ref={sidebar}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Switchboard
          <button type="button" class="icon-button nav-close" aria-label="Close menu" onClick={() => closeNav(true)}>
            ×
          </button>
        </div>
        {/* A link closes the drawer at once: a form that asks "Discard changes?" holds the route, and its dialog must not sit under the drawer. */}
        <nav aria-label="Main" onClick={(e) => (e.target as HTMLElement).closest('a') && setNavOpen(false)}>
          <a href={href.home} class={route.page === 'home' ? 'nav-item active' : 'nav-item'}>
            Home
          </a>
          <a href={href.calls} class={route.page === 'calls' ? 'nav-item active' : 'nav-item'}>
            Call Logs
          </a>
          {canWebhooks && (
            <div class="nav-group">
              <span class="nav-heading">APIs &amp; Webhooks</span>
              <a href={href.webhooks} class={inWebhooks ? 'nav-item active' : 'nav-item'}>
                Webhooks
              </a>
              <a href={href.search('')} class={route.page === 'search' ? 'nav-item active' : 'nav-item'}>
                Search
              </a>
            </div>
          )}
          {canSettings && (
            <a href={href.settings} class={route.page === 'settings' || route.page === 'alerts' ? 'nav-item active' : 'nav-item'}>
              Settings
            </a>
          )}
        </nav>
      </aside>
      {navOpen && <div class="nav-backdrop" aria-hidden="true" onClick={() => closeNav(false)} />}
      <div class="main">
        <header class="topbar">
          <button
            ref={menuButton}
            type="button"
            class="secondary menu-button"
            aria-controls="sidebar"
            aria-expanded={navOpen ? 'true' : 'false'}
            onClick={() => setNavOpen(!navOpen)}
          >
            <span aria-hidden="true">☰</span> Menu
          </button>
          <span class="company">{me.company.name}</span>
          <span class="user">
            <span class="user-name">{me.user?.name ?? 'Token'}</span> <span class="role-badge">{me.role}</span>
          </span>
          <button type="button" class="link-button" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <main>{page}</main>
      </div>
      <SecretReveal />
    </div>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => !!storedToken());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = (message: string | null = null) => {
    storeToken(null);
    setMe(null);
    setNotice(message);
  };

  useEffect(() => {
    setUnauthorizedHandler(() => signOut('Your session ended: the token is no longer valid.'));
    if (!storedToken()) return;
    api
      .me()
      .then(setMe, () => signOut())
      .finally(() => setChecking(false));
  }, []);

  return (
    <ToastProvider>
      {checking ? (
        <p class="muted center">Loading…</p>
      ) : me ? (
        <Shell me={me} onSignOut={() => signOut()} />
      ) : (
        <SignIn onSignedIn={setMe} notice={notice} />
      )}
    </ToastProvider>
  );
}
