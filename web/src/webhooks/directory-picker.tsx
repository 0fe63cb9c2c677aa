// Department and agent filters, picked from the company directory
// (GET /api/v2/departments, /api/v2/agents, every page up to a cap). When the
// directory is empty or cannot be read, the picker says so (no filter on
// that field then matches every call); ids already stored stay listed and can
// be removed. Admins never type ids.
import { useEffect, useState } from 'preact/hooks';
import type { DirectoryEntry, DirectoryKind } from '../api';
import { api } from '../api';

type Directory = { state: 'loading' } | { state: 'list'; entries: DirectoryEntry[] } | { state: 'unavailable'; failed: boolean };

// One load per kind while the page lives, sorted by name; a failed load is tried again next time.
const cache = new Map<DirectoryKind, Promise<DirectoryEntry[] | null>>();

export function loadDirectory(kind: DirectoryKind): Promise<DirectoryEntry[] | null> {
  if (!cache.has(kind)) {
    cache.set(
      kind,
      api
        .directory(kind)
        .then((entries) => entries.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)))
        .catch(() => {
          cache.delete(kind);
          return null;
        }),
    );
  }
  return cache.get(kind)!;
}

export function DirectoryPicker(props: {
  kind: DirectoryKind;
  label: string;
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
}) {
  const [directory, setDirectory] = useState<Directory>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    loadDirectory(props.kind).then((entries) => {
      if (!live) return;
      setDirectory(entries && entries.length ? { state: 'list', entries } : { state: 'unavailable', failed: !entries });
    });
    return () => {
      live = false;
    };
  }, [props.kind]);

  if (directory.state === 'loading') return null;
  if (directory.state === 'list') {
    const known = new Set(directory.entries.map((e) => e.id));
    return (
      <div class="checks" role="group" aria-label={props.label}>
        <span class="muted small">{props.label} (none: all)</span>
        {directory.entries.map((entry) => (
          <label key={entry.id} class="check">
            <input
              type="checkbox"
              checked={props.value.includes(entry.id)}
              onChange={(e) =>
                props.onChange(
                  (e.target as HTMLInputElement).checked
                    ? [...props.value, entry.id]
                    : props.value.filter((id) => id !== entry.id),
                )
              }
            />
            {entry.name}
          </label>
        ))}
        {props.value
          .filter((id) => !known.has(id))
          .map((id) => (
            <span key={id} class="tag">
              {id}
            </span>
          ))}
        {props.error && <p class="field-error">{props.error}</p>}
      </div>
    );
  }
  const noun = props.kind === 'departments' ? 'departments' : 'agents';
  return (
    <div class="checks" role="group" aria-label={props.label}>
      <span class="muted small">
        {props.label}:{' '}
        {directory.failed
          ? `the company directory could not be read, so ${noun} cannot be picked now.`
          : `no ${noun} in the company directory yet, so this filter matches every call.`}
      </span>
      {props.value.map((id) => (
        <span key={id} class="tag">
          {id}{' '}
          <button
            type="button"
            class="icon-button"
            aria-label={`Remove ${id}`}
            onClick={() => props.onChange(props.value.filter((x) => x !== id))}
          >
            ×
          </button>
        </span>
      ))}
      {props.error && <p class="field-error">{props.error}</p>}
    </div>
  );
}
