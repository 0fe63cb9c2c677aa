// The ⋮ menu (a WAI-ARIA menu button), shared by every list of the dashboard.
//
// The list is shown in the top layer (the Popover API) with `position: fixed`
// coordinates taken from the button, so no card, table or overflow clips it
// and nothing paints over it; where the Popover API is missing, the fixed
// position alone still escapes the card's overflow. It opens below the
// button, right-aligned, and flips up when there is no room below, right when
// there is no room on the left. Scrolling or resizing closes it (its position
// would be stale), as do Escape, a click outside and Tab.
//
// Keyboard: Enter, Space or ArrowDown on the button open it on the first
// item (ArrowUp on the last); ArrowUp/ArrowDown (wrapping), Home and End move
// between items; Escape closes and returns focus to the button; Tab closes
// and moves on from the button.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MenuPlacement } from './menu-place';
import { placeMenu } from './menu-place';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

function supportsPopover(el: HTMLElement): boolean {
  return typeof el.showPopover === 'function';
}

export function KebabMenu(props: { label: string; items: MenuItem[] }) {
  // `focus`: which item takes the focus once the list is shown.
  const [open, setOpen] = useState<null | { focus: 'first' | 'last' }>(null);
  const [place, setPlace] = useState<MenuPlacement | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const anchor = useRef<DOMRect | null>(null); // the button where the list was placed

  const items = () => Array.from(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const close = (returnFocus: boolean) => {
    setOpen(null);
    setPlace(null);
    if (returnFocus) button.current?.focus();
  };

  // Shown: into the top layer, measured and placed, then the focus moves in.
  useLayoutEffect(() => {
    const el = list.current;
    if (!open || !el || !button.current) return;
    if (supportsPopover(el) && !el.matches(':popover-open')) el.showPopover();
    const rect = button.current.getBoundingClientRect();
    anchor.current = rect;
    setPlace(
      placeMenu(rect, { width: el.offsetWidth, height: el.offsetHeight }, {
        width: document.documentElement.clientWidth,
        height: document.documentElement.clientHeight,
      }),
    );
  }, [open]);
  // Placed (and so visible): the focus moves in.
  useLayoutEffect(() => {
    if (!open || !place) return;
    const all = items();
    (open.focus === 'first' ? all[0] : all[all.length - 1])?.focus({ preventScroll: true });
  }, [place]);

  // While shown: a click outside, a scroll that moves the button, or resizing closes it.
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      const target = e.target as Node;
      if (!list.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    // A scroll event can arrive for a scroll that ended before the menu
    // opened (e.g. the button scrolled into view by the click): only a
    // scroll that moved the button since the menu was placed closes it.
    const moved = (e: Event) => {
      if (list.current?.contains(e.target as Node)) return;
      const at = anchor.current;
      const now = button.current?.getBoundingClientRect();
      if (!at || !now || now.top !== at.top || now.left !== at.left) close(false);
    };
    const gone = () => close(false);
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('scroll', moved, true);
    window.addEventListener('resize', gone);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('scroll', moved, true);
      window.removeEventListener('resize', gone);
    };
  }, [open]);

  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault(); // no click from Enter/Space: the key opens it here
      setOpen({ focus: e.key === 'ArrowUp' ? 'last' : 'first' });
    }
  };

  const onListKey = (e: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      all[(to + all.length) % all.length]?.focus({ preventScroll: true });
    };
    switch (e.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at < 0 ? all.length - 1 : at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(all.length - 1);
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        return close(true);
      case 'Tab':
        // The focus goes back to the button now, so the browser's Tab moves
        // on from there (the items are out of the Tab order).
        return close(true);
    }
  };

  const style = place
    ? { top: `${place.top}px`, left: `${place.left}px` }
    : { top: '0px', left: '0px', visibility: 'hidden' as const };

  return (
    <div class="menu">
      <button
        ref={button}
        type="button"
        class="icon-button kebab"
        aria-label={props.label}
        aria-haspopup="menu"
        aria-expanded={open ? 'true' : 'false'}
        onKeyDown={onButtonKey}
        onClick={() => (open ? close(false) : setOpen({ focus: 'first' }))}
      >
        ⋮
      </button>
      {open && (
        <div
          ref={list}
          class="menu-list"
          role="menu"
          aria-label={props.label}
          popover="manual"
          data-placement={place ? (place.up ? 'top' : 'bottom') : undefined}
          style={style}
          onKeyDown={onListKey}
        >
          {props.items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              class={item.danger ? 'danger-text' : ''}
              onClick={() => {
                close(true); // the action's own dialog, if any, takes the focus next
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
