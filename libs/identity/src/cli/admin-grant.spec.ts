import { parseGrantArgs } from './admin-grant';

describe('parseGrantArgs', () => {
  it('grants admin unless roles are named', () => {
    expect(parseGrantArgs(['ada@example.com'])).toEqual({
      email: 'ada@example.com',
      roles: ['admin'],
    });
    expect(parseGrantArgs(['--role', 'finance', 'ada@example.com', '--role', 'auditor'])).toEqual({
      email: 'ada@example.com',
      roles: ['finance', 'auditor'],
    });
  });

  it.each([
    [[], /exactly one e-mail/],
    [['a@example.com', 'b@example.com'], /exactly one e-mail/],
    [['a@example.com', '--role', 'wizard'], /--role must be one of/],
    [['a@example.com', '--role'], /--role must be one of/],
  ])('refuses %j', (args, problem) => {
    expect(parseGrantArgs(args)).toEqual({ problem: expect.stringMatching(problem) });
  });
});
