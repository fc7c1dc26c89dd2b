import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

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
      <small id={`${id}-error`} className="error" role={error ? 'alert' : undefined}>
        {error ?? ''}
      </small>
    </div>
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
