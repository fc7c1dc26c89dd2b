/**
 * The texts of the e-mails that carry a one-time code: address verification
 * and password reset. The code is the only variable part, so nothing a user
 * typed can end up in the message.
 */
export type CodeMessageKind = 'verify_email' | 'reset_password';

export interface CodeMessage {
  readonly subject: string;
  readonly text: string;
}

const SUBJECT: Record<CodeMessageKind, string> = {
  verify_email: 'Your e-mail verification code',
  reset_password: 'Your password reset code',
};

const PURPOSE: Record<CodeMessageKind, string> = {
  verify_email: 'to confirm that this address is yours',
  reset_password: 'to choose a new password',
};

const IGNORE: Record<CodeMessageKind, string> = {
  verify_email: 'If you did not ask for it, you can ignore this message.',
  reset_password:
    'If you did not ask for it, someone else typed your address: your password is unchanged and you can ignore this message.',
};

export function renderCodeMessage(
  kind: CodeMessageKind,
  code: string,
  validMinutes: number,
): CodeMessage {
  return {
    subject: SUBJECT[kind],
    text: [
      `Your code is ${code}`,
      '',
      `Enter it ${PURPOSE[kind]}. It works once, for ${validMinutes} minutes.`,
      IGNORE[kind],
      'We will never ask you for this code by phone or in any other e-mail.',
    ].join('\n'),
  };
}

/** Finds the code in a rendered message; for tests and tools that read captured e-mails. */
export function codeInMessage(text: string): string | undefined {
  return /^Your code is (\d+)$/m.exec(text)?.[1];
}
