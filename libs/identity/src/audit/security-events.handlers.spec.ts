import type { RecordedSecurityEvent, SecurityAuditService } from './security-audit.service';
import { SecurityEventsPageHandler, SecurityEventsPageQuery } from './security-events.handlers';

function event(cursor: string): RecordedSecurityEvent {
  return {
    id: `00000000-0000-4000-8000-${cursor.padStart(12, '0')}`,
    cursor,
    userId: null,
    type: 'LoginFailed',
    data: {},
    occurredAt: '2030-01-01T00:00:00.000Z',
  };
}

/** A trail of `count` events, newest (highest cursor) first, as the service lists them. */
function handlerOver(count: number) {
  const trail = Array.from({ length: count }, (_, i) => event(String(count - i)));
  const audit = {
    list: ({ before, limit }: { before?: string; limit: number }) =>
      Promise.resolve(
        trail
          .filter((e) => before === undefined || Number(e.cursor) < Number(before))
          .slice(0, limit),
      ),
  } as unknown as SecurityAuditService;
  return new SecurityEventsPageHandler(audit);
}

describe('SecurityEventsPageQuery', () => {
  it('a full page names its last event as the next cursor', async () => {
    const page = await handlerOver(5).execute(new SecurityEventsPageQuery({ limit: 2 }));
    expect(page.items.map((e) => e.cursor)).toEqual(['5', '4']);
    expect(page.nextCursor).toBe('4');
  });

  it('the next cursor continues where the page ended', async () => {
    const page = await handlerOver(5).execute(
      new SecurityEventsPageQuery({ before: '4', limit: 2 }),
    );
    expect(page.items.map((e) => e.cursor)).toEqual(['3', '2']);
  });

  it('a short page is the last one', async () => {
    const page = await handlerOver(3).execute(new SecurityEventsPageQuery({ limit: 5 }));
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
  });

  it('an empty trail answers an empty last page', async () => {
    const page = await handlerOver(0).execute(new SecurityEventsPageQuery({ limit: 5 }));
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
