// The ⋮ menu of one webhook (Edit | Disable/Enable | Delete) with its
// confirmations: disabling asks first, deleting needs the word DELETE typed.
import { useState } from 'preact/hooks';
import type { Webhook } from '../api';
import { api } from '../api';
import { href, navigate } from '../router';
import { ConfirmModal, KebabMenu, WarningIcon, useConfirmAction, useToast } from '../ui';

const CONFIRM_WORD = 'DELETE';

export function WebhookActions(props: {
  webhook: Webhook;
  onChanged: (w: Webhook) => void;
  onDeleted: () => void;
}) {
  const toast = useToast();
  const [modal, setModal] = useState<'disable' | 'delete' | null>(null);
  const [typed, setTyped] = useState('');
  const action = useConfirmAction(() => setModal(null));
  const w = props.webhook;
  const name = w.name || w.url;

  const open = (which: 'disable' | 'delete') => {
    setTyped('');
    action.reset();
    setModal(which);
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
    w.status === 'active' ? { label: 'Disable', onSelect: () => open('disable') } : { label: 'Enable', onSelect: enable },
    { label: 'Delete', danger: true, onSelect: () => open('delete') },
  ];

  return (
    <>
      <KebabMenu label={`Actions for ${name}`} items={items} />
      {modal === 'disable' && (
        <ConfirmModal
          title="Disable webhook"
          confirmLabel="Yes"
          busy={action.busy}
          error={action.error}
          onClose={() => setModal(null)}
          onConfirm={() =>
            action.run(async () => {
              props.onChanged(await api.disableWebhook(w.id));
              toast('Webhook disabled');
            })
          }
        >
          <p>Are you sure you want to disable this webhook?</p>
          <p class="muted small">
            Nothing is sent to <span class="mono">{w.url}</span> while it is disabled; pending retries stop.
          </p>
        </ConfirmModal>
      )}
      {modal === 'delete' && (
        <ConfirmModal
          title="Delete webhook"
          confirmLabel="Delete"
          icon={<WarningIcon />}
          danger
          busy={action.busy}
          confirmDisabled={typed !== CONFIRM_WORD}
          error={action.error}
          onClose={() => setModal(null)}
          onConfirm={() =>
            action.run(async () => {
              await api.deleteWebhook(w.id, typed);
              toast('Webhook deleted');
              props.onDeleted();
            })
          }
        >
          <p class="warning-text">This action permanently deletes the webhook.</p>
          <p class="muted small">
            <strong>{name}</strong> and its logs are removed; this cannot be undone.
          </p>
          <label class="field">
            <span class="label">
              Type <strong>{CONFIRM_WORD}</strong> to confirm
            </span>
            <input
              data-autofocus
              aria-label="Type DELETE to confirm"
              value={typed}
              autoComplete="off"
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </label>
        </ConfirmModal>
      )}
    </>
  );
}
