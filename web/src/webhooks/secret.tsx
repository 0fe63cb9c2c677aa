// The signing secret: shown once, right after it was created or rotated
// (the server never returns it again), and rotated on request.
import { useEffect, useState } from 'preact/hooks';
import type { Webhook } from '../api';
import { api } from '../api';
import { ConfirmModal, Modal, formatTime, useToast } from '../ui';

let listener: ((secret: string) => void) | null = null;

// Shows the secret in a modal (mounted once by the app shell, so that it
// survives navigating from the form to the webhook's page).
export function revealSecret(secret: string): void {
  listener?.(secret);
}

export function SecretReveal() {
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    listener = (s) => {
      setCopied(false);
      setSecret(s);
    };
    return () => {
      listener = null;
    };
  }, []);
  if (!secret) return null;
  return (
    <Modal
      title="Signing secret"
      onClose={() => setSecret(null)}
      footer={
        <button type="button" class="primary" onClick={() => setSecret(null)}>
          Done
        </button>
      }
    >
      <p>Copy this secret now: it is not shown again. Receivers use it to verify signatures.</p>
      <div class="secret-row">
        <code class="secret" data-testid="signing-secret">
          {secret}
        </code>
        <button
          type="button"
          class="secondary"
          onClick={() => navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => {})}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </Modal>
  );
}

export function SecretPanel(props: { webhook: Webhook; onChanged: (w: Webhook) => void }) {
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const w = props.webhook;

  const run = async () => {
    setBusy(true);
    try {
      const updated = w.has_secret
        ? await api.rotateSecret(w.id)
        : await api.updateWebhook(w.id, { secret: 'generate' });
      props.onChanged(updated);
      setConfirming(false);
      toast(w.has_secret ? 'Secret rotated' : 'Secret generated');
      if (updated.secret) revealSecret(updated.secret);
    } catch (e) {
      toast((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="secret-panel">
      <span>
        {w.has_secret ? 'Deliveries are signed.' : 'No signing secret: deliveries are not signed.'}
        {w.previous_secret_expires_at && (
          <span class="muted small">
            {' '}
            The previous secret also signs until{' '}
            {formatTime(w.previous_secret_expires_at)}.
          </span>
        )}
      </span>
      <button type="button" class="secondary" disabled={busy} onClick={() => (w.has_secret ? setConfirming(true) : run())}>
        {w.has_secret ? 'Rotate secret' : 'Generate secret'}
      </button>
      {confirming && (
        <ConfirmModal
          title="Rotate signing secret"
          confirmLabel="Rotate"
          busy={busy}
          onClose={() => setConfirming(false)}
          onConfirm={run}
        >
          <p>A new secret is generated. The current one keeps signing for 24 hours, so receivers can switch over.</p>
        </ConfirmModal>
      )}
    </div>
  );
}
