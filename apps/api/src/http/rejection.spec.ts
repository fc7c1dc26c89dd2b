import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REJECTION_STATUS } from './rejection';

describe('the rejection table in docs/api.md', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/api.md'), 'utf8');

  it('lists every rejection with its status', () => {
    const missing = Object.entries(REJECTION_STATUS).filter(
      ([code, status]) => !new RegExp(`^\\| \`${code}\` +\\| ${status} +\\|`, 'm').test(doc),
    );
    expect(missing).toEqual([]);
  });

  it('lists no rejection the table does not have', () => {
    const listed = [...doc.matchAll(/^\| `([a-z_0-9]+)` +\| \d{3} +\|/gm)].map((m) => m[1] ?? '');
    expect(listed.filter((code) => !(code in REJECTION_STATUS))).toEqual([]);
  });
});
