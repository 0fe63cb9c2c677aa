// "Discard changes?": a form with unsaved changes asks before the admin
// leaves it — an in-app link, Back, a Cancel or close button (asked here, in
// a dialog), or closing/reloading the tab (the browser's own beforeunload
// question). An unchanged form leaves silently.
import { useEffect, useRef, useState } from 'preact/hooks';
import { addLeaveGuard, navigate } from './router';
import { ConfirmModal } from './ui';

export function useUnsavedChanges(dirty: boolean) {
  const [pending, setPending] = useState<null | { go: () => void }>(null);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const released = useRef(false);
  const isDirty = () => dirtyRef.current && !released.current;

  useEffect(() => {
    const remove = addLeaveGuard((to) => {
      if (!isDirty()) return false;
      setPending({ go: () => navigate(to, true) });
      return true;
    });
    const onUnload = (e: BeforeUnloadEvent) => {
      if (!isDirty()) return;
      e.preventDefault();
      e.returnValue = ''; // older browsers ask only when this is set
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      remove();
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);

  const modal = pending && (
    <ConfirmModal
      title="Discard changes?"
      confirmLabel="Discard changes"
      cancelLabel="Keep editing"
      danger
      onClose={() => setPending(null)}
      onConfirm={() => {
        const { go } = pending;
        released.current = true;
        setPending(null);
        go();
      }}
    >
      <p>Your changes to this form are not saved. Leave it and lose them?</p>
    </ConfirmModal>
  );

  return {
    modal,
    // Runs `action` (e.g. closing a dialog) now when nothing changed, else after the admin agrees.
    confirmThen: (action: () => void) => (isDirty() ? setPending({ go: action }) : action()),
    // Saved: nothing left to lose, the form may go.
    release: () => {
      released.current = true;
    },
  };
}
