import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

/** A labelled input with its error in words beside it, tied to it for screen readers. */
export function Field({
  label,
  error,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        {...input}
      />
      {hint && !error && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** The amount a form moves, in the wallet's currency, as a person types it: `parseAmount` reads it. */
export function AmountField({ currency, error }: { currency: string; error?: string | undefined }) {
  return (
    <Field
      label={`Amount (${currency})`}
      name="amount"
      inputMode="decimal"
      required
      error={error}
    />
  );
}

/** A labelled choice with its error in words beside it, as `Field` is for an input. */
export function SelectField({
  label,
  error,
  children,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; error?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-error`}
        {...select}
      >
        {children}
      </select>
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/**
 * The line under a field or a group of them: empty, it keeps the field's
 * place; with words, a screen reader announces them.
 */
export function FieldError({ id, error }: { id?: string; error?: string | undefined }) {
  return (
    <small id={id} className="error" role={error ? 'alert' : undefined}>
      {error ?? ''}
    </small>
  );
}

export function FormError({ text }: { text?: string }) {
  return (
    <p className="error form-error" role={text ? 'alert' : undefined}>
      {text ?? ''}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
