import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CursorPageQueryDto } from './cursor-page.dto';

class Filter {
  kind?: string;
}

const ByLength = CursorPageQueryDto(
  { cursor: { description: 'c', maxLength: 5 }, maxLimit: 10 },
  Filter,
);
const ByPattern = CursorPageQueryDto({
  cursor: { description: 'c', pattern: /^[a-z]{1,3}$/, message: 'cursor must be a nextCursor' },
  maxLimit: 3,
});

function refused(dto: new () => object, query: Record<string, string>): string[] {
  const errors = validateSync(plainToInstance(dto, query));
  return errors.flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('CursorPageQueryDto', () => {
  it('accepts no cursor and no limit, and a limit up to the bound', () => {
    expect(refused(ByLength, {})).toEqual([]);
    expect(refused(ByLength, { cursor: 'abcde', limit: '10' })).toEqual([]);
    const parsed = plainToInstance(ByLength, { limit: '7' });
    expect(parsed.limit).toBe(7);
    expect(parsed).toBeInstanceOf(Filter);
  });

  it('refuses a limit out of bounds or not an integer', () => {
    expect(refused(ByLength, { limit: '11' })).toHaveLength(1);
    expect(refused(ByLength, { limit: '0' })).toHaveLength(1);
    expect(refused(ByLength, { limit: '2.5' })).toHaveLength(1);
    expect(refused(ByPattern, { limit: '4' })).toHaveLength(1);
  });

  it('bounds the cursor per route: by length, or by pattern with its message', () => {
    expect(refused(ByLength, { cursor: 'abcdef' })).toHaveLength(1);
    expect(refused(ByLength, { cursor: '' })).toHaveLength(1);
    expect(refused(ByPattern, { cursor: 'abc' })).toEqual([]);
    expect(refused(ByPattern, { cursor: 'ab1' })).toEqual(['cursor must be a nextCursor']);
  });
});
