// Settings → Data retention (issue 17 item 10; owners and admins): how long
// the company's events, with their deliveries and failed attempts, are kept
// (GET/PATCH /api/v2/retention). A value in hours or days, or the server's
// default; the server's field errors (retention_seconds) are shown at the field.
import { useEffect, useState } from 'preact/hooks';
import type { Retention } from './api';
import { ApiError, api } from './api';
import { ErrorBanner, useToast } from './ui';

export type RetentionUnit = 'hours' | 'days';
const UNIT_SECONDS: Record<RetentionUnit, number> = { hours: 3600, days: 86400 };

// A duration in an admin's words: "30 days", "36 hours", "1 day".
export function durationText(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} ${seconds === 86400 ? 'day' : 'days'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} ${seconds === 3600 ? 'hour' : 'hours'}`;
  return `${seconds} seconds`;
}

// The form's value and unit for a number of seconds (days when whole).
export function toForm(seconds: number): { value: string; unit: RetentionUnit } {
  if (seconds % 86400 === 0) return { value: String(seconds / 86400), unit: 'days' };
  return { value: String(Math.round(seconds / 3600)), unit: 'hours' };
}

// Seconds for the form's text, or null when it is not a number (the server
// judges the range, so its message is the one shown).
export function fromForm(value: string, unit: RetentionUnit): number | null {
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Math.round(Number(text) * UNIT_SECONDS[unit]);
}

export function RetentionSettings() {
  const [current, setCurrent] = useState<Retention | null>(null);
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState<RetentionUnit>('days');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const show = (r: Retention) => {
    setCurrent(r);
    const f = toForm(r.retention_seconds);
    setValue(f.value);
    setUnit(f.unit);
  };
  useEffect(() => {
    api.retention().then(show, (e: Error) => setError(e.message));
  }, []);
  const save = async (seconds: number | null) => {
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      const r = await api.setRetention(seconds);
      show(r);
      toast(r.source === 'default' ? 'Retention: the server default' : `Events are kept ${durationText(r.retention_seconds)}`);
    } catch (e) {
      if (e instanceof ApiError && e.field === 'retention_seconds') setFieldError(e.message);
      else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const seconds = fromForm(value, unit);
    if (seconds === null) return setFieldError('Enter a number of hours or days.');
    save(seconds);
  };
  return (
    <section class="card" aria-label="Data retention">
      <div class="card-title">
        <h3>Data retention</h3>
      </div>
      <ErrorBanner error={error} />
      {current && (
        <form class="retention-form" onSubmit={submit} noValidate>
          <p class="small" data-testid="retention-current">
            Events, with their deliveries and failed attempts, are kept{' '}
            <strong>{durationText(current.retention_seconds)}</strong>
            {current.source === 'default' ? ' (the server default).' : ` (the server default is ${durationText(current.default_retention_seconds)}).`}
          </p>
          <div class="inline-form">
            <label class="field grow">
              <span class="label">Keep events for</span>
              <input
                inputMode="decimal"
                aria-invalid={fieldError ? true : undefined}
                aria-describedby={fieldError ? 'retention-error' : 'retention-hint'}
                class={fieldError ? 'invalid' : ''}
                value={value}
                onInput={(e) => setValue((e.target as HTMLInputElement).value)}
              />
            </label>
            <select aria-label="Unit" value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value as RetentionUnit)}>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
          </div>
          {fieldError ? (
            <p class="field-error" id="retention-error" role="alert">
              {fieldError}
            </p>
          ) : (
            <p class="muted small" id="retention-hint">
              From {durationText(current.min_retention_seconds)} to {durationText(current.max_retention_seconds)}. Older
              events are deleted in the background.
            </p>
          )}
          {current.source === 'company' && (
            <button type="button" class="link-button" disabled={busy} onClick={() => save(null)}>
              Use the server default ({durationText(current.default_retention_seconds)})
            </button>
          )}
        </form>
      )}
    </section>
  );
}
