// Client-side routes live in the URL fragment (#/webhooks/wh_…), so that the
// server only ever serves "/" and the built assets.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'calls' }
  | { page: 'webhooks'; tab: 'v2' | 'v1' }
  | { page: 'webhook-new' }
  | { page: 'webhook'; id: string }
  | { page: 'webhook-edit'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'calls') return { page: 'calls' };
  if (parts[0] !== 'webhooks') return { page: 'home' };
  if (parts.length === 1) return { page: 'webhooks', tab: 'v2' };
  if (parts[1] === 'v1') return { page: 'webhooks', tab: 'v1' };
  if (parts[1] === 'new') return { page: 'webhook-new' };
  if (parts[2] === 'edit') return { page: 'webhook-edit', id: parts[1] };
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
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
