// The ⋮ menu of one webhook (Edit | Disable/Enable | Delete) with its
// confirmations: disabling asks first, deleting needs the word DELETE typed.
import { useState } from 'preact/hooks';
import type { Webhook } from '../api';
import { api } from '../api';
import { href, navigate } from '../router';
import { KebabMenu, Modal, useToast } from '../ui';

const CONFIRM_WORD = 'DELETE';

export function WebhookActions(props: {
  webhook: Webhook;
  onChanged: (w: Webhook) => void;
  onDeleted: () => void;
}) {
  const toast = useToast();
  const [modal, setModal] = useState<'disable' | 'delete' | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const w = props.webhook;
  const name = w.name || w.url;

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setModal(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const enable = async () => {
    try {
      props.onChanged(await api.enableWebhook(w.id));
      toast('Webhook enabled');
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };

  const items = [
    { label: 'Edit', onSelect: () => navigate(href.editWebhook(w.id)) },
    w.status === 'active'
      ? { label: 'Disable', onSelect: () => (setError(null), setModal('disable')) }
      : { label: 'Enable', onSelect: enable },
    {
      label: 'Delete',
      danger: true,
      onSelect: () => {
        setTyped('');
        setError(null);
        setModal('delete');
      },
    },
  ];

  return (
    <>
      <KebabMenu label={`Actions for ${name}`} items={items} />
      {modal === 'disable' && (
        <Modal
          title="Disable webhook"
          onClose={() => setModal(null)}
          footer={
            <>
              <button type="button" class="secondary" onClick={() => setModal(null)}>
                Cancel
              </button>
              <button
                type="button"
                class="primary"
                disabled={busy}
                onClick={() =>
                  act(async () => {
                    props.onChanged(await api.disableWebhook(w.id));
                    toast('Webhook disabled');
                  })
                }
              >
                Disable
              </button>
            </>
          }
        >
          <p>Are you sure you want to disable this webhook?</p>
          <p class="muted small">
            Nothing is sent to <span class="mono">{w.url}</span> while it is disabled; pending retries
            stop.
          </p>
          {error && <p class="field-error">{error}</p>}
        </Modal>
      )}
      {modal === 'delete' && (
        <Modal
          title="Delete webhook"
          onClose={() => setModal(null)}
          footer={
            <>
              <button type="button" class="secondary" onClick={() => setModal(null)}>
                Cancel
              </button>
              <button
                type="button"
                class="danger"
                disabled={busy || typed !== CONFIRM_WORD}
                onClick={() =>
                  act(async () => {
                    await api.deleteWebhook(w.id, typed);
                    toast('Webhook deleted');
                    props.onDeleted();
                  })
                }
              >
                Delete
              </button>
            </>
          }
        >
          <p>
            This permanently deletes <strong>{name}</strong> with its logs. It cannot be undone.
          </p>
          <label class="field">
            <span class="label">
              Type <strong>{CONFIRM_WORD}</strong> to confirm
            </span>
            <input
              aria-label="Type DELETE to confirm"
              value={typed}
              autoComplete="off"
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </label>
          {error && <p class="field-error">{error}</p>}
        </Modal>
      )}
    </>
  );
}
