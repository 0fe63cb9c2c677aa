// Department and agent filters, picked from the company directory
// (GET /api/v2/departments, /api/v2/agents, every page up to a cap). When the
// directory is empty or cannot be read, the user types ids instead, so that
// filters stay usable.
import { useEffect, useState } from 'preact/hooks';
import type { DirectoryEntry, DirectoryKind } from '../api';
import { api } from '../api';

type Directory = { state: 'loading' } | { state: 'list'; entries: DirectoryEntry[] } | { state: 'free-text' };

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
  const [text, setText] = useState(props.value.join(', '));

  useEffect(() => {
    let live = true;
    loadDirectory(props.kind).then((entries) => {
      if (!live) return;
      setDirectory(entries && entries.length ? { state: 'list', entries } : { state: 'free-text' });
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
  return (
    <label class="field">
      <span class="label">
        {props.label} <span class="muted small">(ids, comma-separated; empty: all)</span>
      </span>
      <input
        value={text}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          setText(value);
          props.onChange(
            value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          );
        }}
      />
      {props.error && <p class="field-error">{props.error}</p>}
    </label>
  );
}
