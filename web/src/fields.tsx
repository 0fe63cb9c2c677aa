// Form fields shared by the dashboard's forms (webhooks v2 and v1, alert
// channels): a field's error message, and a labelled text field that shows
// the server's message for its API field (form-errors.ts) at the field.
import type { FieldError } from './api';
import { messageFor } from './form-errors';

export function FieldMessage({ text, id }: { text?: string; id?: string }) {
  if (!text) return null;
  return (
    <p class="field-error" id={id} role="alert">
      {text}
    </p>
  );
}

// A labelled input (or textarea) for the API field `field`: marked invalid
// and described by the server's message when there is one, else by `hint`.
// Its id is `${idPrefix}-${field}` (non-word characters as "-"), its
// message's `${id}-error`.
export function TextField(props: {
  label: string;
  field: string;
  idPrefix: string;
  value: string;
  errors: FieldError[];
  onInput: (v: string) => void;
  type?: string;
  placeholder?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  inputMode?: 'numeric';
  multiline?: boolean;
}) {
  const message = messageFor(props.errors, props.field, true);
  const id = `${props.idPrefix}-${props.field.replace(/\W/g, '-')}`;
  const describedBy = message ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  const common = {
    id,
    name: props.field,
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': message ? true : undefined,
    'aria-describedby': describedBy,
    'aria-required': props.required ? true : undefined,
    class: message ? 'invalid' : '',
  };
  return (
    <>
      <label class="field" for={id}>
        <span class="label">
          {props.label}
          {props.required && (
            <span class="required" aria-hidden="true">
              {' '}
              *
            </span>
          )}
        </span>
        {props.multiline ? (
          <textarea {...common} rows={3} onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)} />
        ) : (
          <input
            {...common}
            type={props.type ?? 'text'}
            inputMode={props.inputMode}
            autoComplete={props.autoComplete ?? 'off'}
            onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
          />
        )}
      </label>
      {message ? (
        <FieldMessage text={message} id={`${id}-error`} />
      ) : (
        props.hint && (
          <p class="muted small field-hint" id={`${id}-hint`}>
            {props.hint}
          </p>
        )
      )}
    </>
  );
}
