// Client-side routes live in the URL fragment (#/webhooks/wh_…), so that the
// server only ever serves "/" and the built assets.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'calls' }
  | { page: 'webhooks'; tab: 'v2' | 'v1' }
  | { page: 'webhook-new' }
  | { page: 'webhook'; id: string; delivery?: string }
  | { page: 'search'; q: string }
  | { page: 'settings' }
  | { page: 'alerts' }
  | { page: 'webhook-edit'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'calls') return { page: 'calls' };
  if (parts[0] === 'settings') return parts[1] === 'alerts' ? { page: 'alerts' } : { page: 'settings' };
  if (parts[0] === 'search') return { page: 'search', q: parts[1] ?? '' };
  if (parts[0] !== 'webhooks') return { page: 'home' };
  if (parts.length === 1) return { page: 'webhooks', tab: 'v2' };
  if (parts[1] === 'v1') return { page: 'webhooks', tab: 'v1' };
  if (parts[1] === 'new') return { page: 'webhook-new' };
  if (parts[2] === 'edit') return { page: 'webhook-edit', id: parts[1] };
  if (parts[2] === 'deliveries' && parts[3]) return { page: 'webhook', id: parts[1], delivery: parts[3] };
  return { page: 'webhook', id: parts[1] };
}

export const href = {
  home: '#/',
  calls: '#/calls',
  webhooks: '#/webhooks',
  webhooksV1: '#/webhooks/v1',
  newWebhook: '#/webhooks/new',
  webhook: (id: string) => `#/webhooks/${encodeURIComponent(id)}`,
  editWebhook: (id: string) => `#/webhooks/${encodeURIComponent(id)}/edit`,
  delivery: (webhookId: string, deliveryId: string) =>
    `#/webhooks/${encodeURIComponent(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}`,
  settings: '#/settings',
  alerts: '#/settings/alerts',
  search: (q: string) => `#/search/${encodeURIComponent(q)}`,
};

// Leave guards: a page with unsaved changes registers one. A guard returns
// true when it holds the navigation back (it then asks the admin, and goes on
// with `navigate(to, true)` if they agree).
export type LeaveGuard = (to: string) => boolean;
const guards = new Set<LeaveGuard>();

export function addLeaveGuard(guard: LeaveGuard): () => void {
  guards.add(guard);
  return () => guards.delete(guard);
}

function heldBack(to: string): boolean {
  for (const guard of guards) if (guard(to)) return true;
  return false;
}

export function navigate(to: string, force = false): void {
  if (!force && heldBack(to)) return;
  window.location.hash = to;
}

// The fragment the shown page belongs to: where a held-back Back button or
// typed address is put back to.
let shownHash = typeof window === 'undefined' ? '' : window.location.hash;

// In-app links (href="#/…") ask the guards before the address changes.
function onLinkClick(e: MouseEvent) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const link = (e.target as Element | null)?.closest?.('a[href^="#"]');
  if (!link) return;
  const to = link.getAttribute('href')!;
  if (to !== window.location.hash && heldBack(to)) e.preventDefault();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    shownHash = window.location.hash;
    const update = () => {
      const to = window.location.hash;
      if (to !== shownHash && heldBack(to)) {
        // Back/Forward or a typed address: put the address back while the admin decides.
        history.replaceState(history.state, '', shownHash || '#/');
        return;
      }
      shownHash = to;
      setRoute(parseRoute(to));
    };
    window.addEventListener('hashchange', update);
    document.addEventListener('click', onLinkClick);
    return () => {
      window.removeEventListener('hashchange', update);
      document.removeEventListener('click', onLinkClick);
    };
  }, []);
  return route;
}
