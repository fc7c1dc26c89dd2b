import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

// TypeScript accepts a class as a mixin base only with this exact constructor signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => object;

/** The page size when a request gives none, on every cursor-paged route. */
export const DEFAULT_PAGE_LIMIT = 50;

/**
 * What a route accepts as `cursor`: the cursors routes hand out differ
 * (an encoded key, a log position, a job id), so each route bounds its own,
 * by length or, where the shape is known, by a pattern and the message that
 * refuses anything else.
 */
export type CursorBound =
  | { readonly description: string; readonly maxLength: number }
  | { readonly description: string; readonly pattern: RegExp; readonly message: string };

export interface CursorPageBounds {
  readonly cursor: CursorBound;
  /** The largest `limit` the route's query serves. */
  readonly maxLimit: number;
}

class NoFields {}

/**
 * `cursor` and `limit` of a cursor-paged query DTO, after the fields of
 * `Base` (so a route's filters keep their place in the document). Both are
 * optional: no cursor is the first page, no limit is `DEFAULT_PAGE_LIMIT`.
 */
export function CursorPageQueryDto<T extends Constructor = typeof NoFields>(
  bounds: CursorPageBounds,
  Base: T = NoFields as T,
) {
  const { cursor, maxLimit } = bounds;
  const cursorRule =
    'pattern' in cursor
      ? Matches(cursor.pattern, { message: cursor.message })
      : Length(1, cursor.maxLength);

  class CursorPageQuery extends Base {
    @ApiPropertyOptional({ description: cursor.description })
    @IsOptional()
    @IsString()
    @cursorRule
    cursor?: string;

    @ApiPropertyOptional({ minimum: 1, maximum: maxLimit, default: DEFAULT_PAGE_LIMIT })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit)
    limit?: number;
  }
  return CursorPageQuery;
}
