import { Fragment, type ReactNode } from 'react';
import { FormError } from '../ui';

export interface ConfirmLine {
  readonly term: string;
  readonly value: ReactNode;
  /** For tests that read one line's value. */
  readonly testId?: string;
}

/**
 * The step between a form and a money-moving request (Send, Pay): what
 * will happen, line by line, then "Confirm" or "Change".
 */
export function ConfirmStep(props: {
  title: string;
  label: string;
  lines: readonly ConfirmLine[];
  confirmText: string;
  busyText: string;
  busy: boolean;
  onConfirm: () => void;
  onChange: () => void;
  problem?: string;
}) {
  return (
    <main>
      <h1>{props.title}</h1>
      <dl className="confirm" aria-label={props.label}>
        {props.lines.map((line) => (
          <Fragment key={line.term}>
            <dt>{line.term}</dt>
            <dd data-testid={line.testId}>{line.value}</dd>
          </Fragment>
        ))}
      </dl>
      <FormError text={props.problem} />
      <div className="row">
        <button type="button" onClick={props.onConfirm} disabled={props.busy}>
          {props.busy ? props.busyText : props.confirmText}
        </button>
        <button type="button" className="secondary" onClick={props.onChange}>
          Change
        </button>
      </div>
    </main>
  );
}
