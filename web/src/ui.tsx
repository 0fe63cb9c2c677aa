// Small shared pieces: toasts, modals, the ⋮ menu, status pills, formatting.
// Everything renders text through JSX (escaped); nothing here takes HTML.
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { WebhookStatus } from './api';

// ---- Toasts ----------------------------------------------------------------

interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'error';
}

const ToastContext = createContext<(text: string, kind?: Toast['kind']) => void>(() => {});

export function ToastProvider({ children }: { children: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const show = useCallback((text: string, kind: Toast['kind'] = 'success') => {
    const id = nextId.current++;
    setToasts((list) => [...list, { id, text, kind }]);
    window.setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 5000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div class="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} class={`toast toast-${t.kind}`}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}

// ---- Modal -----------------------------------------------------------------

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    document.addEventListener('keydown', onKey);
    dialog.current?.querySelector<HTMLElement>('input, button.primary, button')?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        ref={dialog}
        class={props.wide ? 'modal modal-wide' : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
      >
        <div class="modal-header">
          <h2>{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        <div class="modal-body">{props.children}</div>
        {props.footer && <div class="modal-footer">{props.footer}</div>}
      </div>
    </div>
  );
}

// A confirmation: the question (children), Cancel and the action's button,
// and the action's error. Shared by every "are you sure" of the dashboard.
export function ConfirmModal(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  confirmDisabled?: boolean; // e.g. until the confirmation word is typed
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            class={props.danger ? 'danger' : 'primary'}
            disabled={props.busy || props.confirmDisabled}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      {props.children}
      {props.error && <p class="field-error">{props.error}</p>}
    </Modal>
  );
}

// Runs a confirmed action: busy while it runs, its error kept for the modal,
// and `done` once it succeeded.
export function useConfirmAction(done: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      done();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, reset: () => setError(null) };
}

// ---- ⋮ menu ----------------------------------------------------------------

// In menu.tsx (a menu button rendered in the top layer); re-exported here.
export { KebabMenu } from './menu';
export type { MenuItem } from './menu';

// ---- Pills and formatting --------------------------------------------------

const STATUS_LABEL: Record<WebhookStatus, string> = {
  active: 'Active',
  inactive: 'Inactive',
  failed: 'Failed',
};

export function StatusPill({ status }: { status: WebhookStatus }) {
  return <span class={`pill pill-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function relativeTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatTime(iso);
}

// Pretty-prints JSON text for display; anything else is shown as it is.
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function ErrorBanner({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div class="banner banner-error" role="alert">
      {error}
    </div>
  );
}
