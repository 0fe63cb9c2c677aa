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

// The open modals, innermost last: Escape and the focus trap belong to the
// innermost one only (a "discard changes?" question over a form dialog).
const openModals: HTMLElement[] = [];

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => el.offsetParent !== null || el === document.activeElement,
  );
}

// Where the focus starts: an element marked data-autofocus, else the first
// field of the body, else the footer's main button, else its Cancel (a
// destructive action without a field), else the first control.
function initialFocus(dialog: HTMLElement): HTMLElement | null {
  return (
    dialog.querySelector<HTMLElement>('[data-autofocus]') ??
    dialog.querySelector<HTMLElement>(
      '.modal-body input:not([disabled]):not([type="hidden"]), .modal-body select, .modal-body textarea',
    ) ??
    dialog.querySelector<HTMLElement>('.modal-footer button.primary:not([disabled])') ??
    dialog.querySelector<HTMLElement>('.modal-footer button.secondary') ??
    focusables(dialog)[0] ??
    null
  );
}

// A dialog (WAI-ARIA modal dialog pattern): the focus moves in when it opens
// and returns to the element that opened it when it closes; Tab and
// Shift+Tab cycle inside it; Escape closes it. `onSubmit`: the body is a form
// and Enter in a field submits it (the footer's submit button is its default
// button, so nothing happens while that button is disabled).
export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
  formId?: string;
  onSubmit?: () => void;
  icon?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const el = dialog.current!;
    const opener = document.activeElement as HTMLElement | null;
    openModals.push(el);
    const innermost = () => openModals[openModals.length - 1] === el;
    const onKey = (e: KeyboardEvent) => {
      if (!innermost()) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
      } else if (e.key === 'Tab') {
        const all = focusables(el);
        if (!all.length) return e.preventDefault();
        const first = all[0];
        const last = all[all.length - 1];
        const at = document.activeElement as HTMLElement | null;
        if (e.shiftKey && (at === first || !el.contains(at))) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && (at === last || !el.contains(at))) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    // The focus never rests outside the innermost dialog (a click on the page behind).
    const onFocusIn = (e: FocusEvent) => {
      if (innermost() && !el.contains(e.target as Node)) (initialFocus(el) ?? el).focus();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocusIn);
    (initialFocus(el) ?? el).focus();
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      openModals.splice(openModals.indexOf(el), 1);
      // Back to the opener once the dialog has left the page (or, when the
      // opener went with it, e.g. a deleted row's ⋮, to the page's heading),
      // unless something else took the focus meanwhile (another dialog).
      window.setTimeout(() => {
        const now = document.activeElement;
        if (now && now !== document.body && now.isConnected) return;
        const back = opener && opener.isConnected && opener !== document.body ? opener : pageHeading();
        back?.focus();
      }, 0);
    };
  }, []);
  const body = props.onSubmit ? (
    <form
      id={props.formId}
      class="modal-body"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit!();
      }}
    >
      {props.children}
    </form>
  ) : (
    <div class="modal-body">{props.children}</div>
  );
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        ref={dialog}
        class={props.wide ? 'modal modal-wide' : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        tabIndex={-1}
      >
        <div class="modal-header">
          <h2>
            {props.icon}
            {props.title}
          </h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        {body}
        {props.footer && <div class="modal-footer">{props.footer}</div>}
      </div>
    </div>
  );
}

function pageHeading(): HTMLElement | null {
  const h1 = document.querySelector<HTMLElement>('main h1');
  if (h1 && !h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
  return h1;
}

let nextFormId = 1;

// A confirmation: the question (children), Cancel and the action's button,
// and the action's error. Shared by every "are you sure" of the dashboard.
// Enter in its field confirms (when the action is allowed).
export function ConfirmModal(props: {
  title: string;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  confirmDisabled?: boolean; // e.g. until the confirmation word is typed
  error?: string | null;
  icon?: ComponentChildren;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const [formId] = useState(() => `confirm-${nextFormId++}`);
  const blocked = props.busy || props.confirmDisabled;
  return (
    <Modal
      title={props.title}
      icon={props.icon}
      onClose={props.onClose}
      formId={formId}
      onSubmit={() => !blocked && props.onConfirm()}
      footer={
        <>
          <button type="button" class="secondary" onClick={props.onClose}>
            {props.cancelLabel ?? 'Cancel'}
          </button>
          <button
            type="submit"
            form={formId}
            class={props.danger ? 'danger' : 'primary'}
            disabled={blocked}
            data-autofocus={props.danger ? undefined : true}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      {props.children}
      {props.error && (
        <p class="field-error" role="alert">
          {props.error}
        </p>
      )}
    </Modal>
  );
}

export function WarningIcon() {
  return (
    <svg class="warning-icon" width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 2 1 21h22L12 2z" fill="currentColor" />
      <path d="M12 9v5" stroke="#fff" stroke-width="2" stroke-linecap="round" />
      <circle cx="12" cy="17.5" r="1.2" fill="#fff" />
    </svg>
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

// A row of radio buttons drawn as one segmented switch (a chart's window).
export function Segmented<T extends string>(props: {
  label: string;
  name: string;
  options: { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div class="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map((o) => (
        <label key={o.value} class={props.value === o.value ? 'selected' : ''}>
          <input
            type="radio"
            name={props.name}
            value={o.value}
            checked={props.value === o.value}
            onChange={() => props.onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </div>
  );
}

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
