// The right panel of the Add/Edit form: event groups from
// GET /api/v2/event-types, each collapsible, with a parent checkbox that
// selects the whole group, the individual events, and "N selected".
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventGroup } from '../api';

const GROUP_LABEL: Record<string, string> = { call: 'Call events', whatsapp: 'WhatsApp events' };

export function groupLabel(group: EventGroup): string {
  return group.label || GROUP_LABEL[group.name] || group.name;
}

function ParentCheckbox(props: {
  label: string;
  checked: boolean;
  indeterminate: boolean;
  onChange: (checked: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.indeterminate;
  }, [props.indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={`Select all ${props.label}`}
      checked={props.checked}
      onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
    />
  );
}

export function EventsPicker(props: {
  groups: EventGroup[];
  selected: string[];
  onChange: (events: string[]) => void;
  error?: string;
}) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const selected = new Set(props.selected);

  const setMany = (types: string[], on: boolean) => {
    const next = new Set(selected);
    for (const t of types) {
      if (on) next.add(t);
      else next.delete(t);
    }
    // Keep the catalog's order.
    props.onChange(props.groups.flatMap((g) => g.events.map((e) => e.type)).filter((t) => next.has(t)));
  };

  return (
    <section class="card events-panel" aria-label="Events">
      <div class="card-title">
        <h3>Events</h3>
        <span class="muted" data-testid="events-total">
          {props.selected.length} selected
        </span>
      </div>
      <p class="muted small">Choose which events are sent to this endpoint.</p>
      {props.groups.map((group) => {
        const types = group.events.map((e) => e.type);
        const count = types.filter((t) => selected.has(t)).length;
        const isOpen = open[group.name] ?? false;
        const label = groupLabel(group);
        return (
          <div class="event-group" key={group.name}>
            <div class="event-group-header">
              <ParentCheckbox
                label={label}
                checked={count === types.length}
                indeterminate={count > 0 && count < types.length}
                onChange={(on) => setMany(types, on)}
              />
              <button
                type="button"
                class="group-toggle"
                aria-expanded={isOpen}
                onClick={() => setOpen({ ...open, [group.name]: !isOpen })}
              >
                <span class="group-name">{label}</span>
                <span class="muted small">{count} selected</span>
                <span class="chevron" aria-hidden="true">
                  {isOpen ? '▾' : '▸'}
                </span>
              </button>
            </div>
            {isOpen && (
              <ul class="event-list">
                {group.events.map((e) => (
                  <li key={e.type}>
                    <label class="event-option">
                      <input
                        type="checkbox"
                        checked={selected.has(e.type)}
                        onChange={(ev) => setMany([e.type], (ev.target as HTMLInputElement).checked)}
                      />
                      <span>
                        <span class="event-label">{e.label}</span>{' '}
                        <code class="muted small">{e.type}</code>
                        <span class="event-description">{e.description}</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {props.error && (
        <p class="field-error" role="alert">
          {props.error}
        </p>
      )}
    </section>
  );
}
