// Department and agent filters. With the directory API
// (GET /api/v2/departments, /api/v2/agents) the user picks from a list; a
// server without it (404) gets free-text ids instead, so filters stay usable.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';

type Entry = { id: string; name: string };
type Directory = { state: 'loading' } | { state: 'list'; entries: Entry[] } | { state: 'free-text' };

const cache = new Map<string, Promise<Entry[] | null>>();

function loadDirectory(kind: 'departments' | 'agents'): Promise<Entry[] | null> {
  if (!cache.has(kind)) {
    cache.set(
      kind,
      api
        .directory(kind)
        .then((page) => page.data)
        .catch(() => null),
    );
  }
  return cache.get(kind)!;
}

export function DirectoryPicker(props: {
  kind: 'departments' | 'agents';
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
      setDirectory(entries ? { state: 'list', entries } : { state: 'free-text' });
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
