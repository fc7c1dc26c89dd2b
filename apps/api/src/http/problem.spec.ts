import { problemTitle, problemType, toProblem } from './problem';
import { REJECTION_STATUS, RejectionException } from './rejection';

describe('problem details (RFC 9457)', () => {
  it('gives each rejection a stable type under /problems/ and a title from its code', () => {
    expect(problemType('wallet_not_found')).toBe('/problems/wallet_not_found');
    expect(problemTitle('wallet_not_found', 404)).toBe('Wallet not found');
  });

  it('answers a code outside the table as about:blank with the status phrase', () => {
    expect(problemType('method_not_allowed')).toBe('about:blank');
    expect(problemTitle('method_not_allowed', 405)).toBe('Method not allowed');
  });

  it('keeps the older members beside the RFC 9457 ones, with the same values', () => {
    const errors = [{ field: 'currency', code: 'is_supported_currency', message: 'bad' }];
    expect(toProblem({ status: 400, code: 'validation_failed', detail: 'bad', errors })).toEqual({
      type: '/problems/validation_failed',
      title: 'Validation failed',
      status: 400,
      detail: 'bad',
      code: 'validation_failed',
      errors,
      statusCode: 400,
      error: 'validation_failed',
      message: 'bad',
    });
  });

  it('throws each rejection with the status of the one table', () => {
    for (const [code, status] of Object.entries(REJECTION_STATUS)) {
      const e = new RejectionException(code as keyof typeof REJECTION_STATUS);
      expect([code, e.getStatus()]).toEqual([code, status]);
      expect(e.getResponse()).toMatchObject({ error: code, message: expect.any(String) });
    }
  });
});
