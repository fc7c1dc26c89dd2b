import { codeInMessage, renderCodeMessage } from './code-messages';

describe('renderCodeMessage', () => {
  it('carries the code, says how long it is valid and reads it back', () => {
    const message = renderCodeMessage('reset_password', '04817263', 15);
    expect(message.subject).toBe('Your password reset code');
    expect(message.text).toContain('for 15 minutes');
    expect(codeInMessage(message.text)).toBe('04817263');
    expect(codeInMessage(renderCodeMessage('verify_email', '12345678', 30).text)).toBe('12345678');
  });

  it('finds no code in a message without one', () => {
    expect(codeInMessage('Your top-up of EUR 10.00 has arrived.')).toBeUndefined();
  });
});
