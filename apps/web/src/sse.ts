export interface SseFrame {
  id?: string;
  event: string;
  data: string;
}

/**
 * Splits Server-Sent Events text into frames (the WHATWG rules the app
 * needs): frames end at a blank line, `:` lines are comments (heartbeats),
 * `data:` lines join with newlines, one space after the colon is dropped.
 * Returns the complete frames and the unfinished rest to prepend to the next chunk.
 */
export function parseSse(buffer: string): { frames: SseFrame[]; rest: string } {
  const frames: SseFrame[] = [];
  const text = buffer.replace(/\r\n?/g, '\n');
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (id !== undefined || data.length > 0) frames.push({ id, event, data: data.join('\n') });
  }
  return { frames, rest };
}
