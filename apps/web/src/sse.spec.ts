import { parseSse } from './sse';

describe('parseSse', () => {
  it('splits frames at blank lines and keeps the unfinished rest for the next chunk', () => {
    const { frames, rest } = parseSse(
      'id: 12\nevent: balance\ndata: {"walletId":"w"}\n\nid: 13\nevent: movem',
    );
    expect(frames).toEqual([{ id: '12', event: 'balance', data: '{"walletId":"w"}' }]);
    expect(rest).toBe('id: 13\nevent: movem');
    const next = parseSse(rest + 'ent\ndata: a\ndata: b\n\n');
    expect(next.frames).toEqual([{ id: '13', event: 'movement', data: 'a\nb' }]);
    expect(next.rest).toBe('');
  });

  it('skips heartbeat comments, reads CRLF, and defaults the event name to message', () => {
    const { frames } = parseSse(': heartbeat\n\r\ndata:x\r\n\r\n: again\n\n');
    expect(frames).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });
});
