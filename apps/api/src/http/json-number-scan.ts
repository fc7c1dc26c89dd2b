/**
 * JSON.parse turns `1e3` into 1000 and `10.00` into 10, so by the time a
 * validator sees an amount its written form is gone. Money never travels as
 * a fraction or in exponent form here, so the raw body is scanned once: the
 * first number literal with a fraction or an exponent is reported with the
 * key it belongs to.
 */
export function findNonIntegerNumber(text: string): { key: string; literal: string } | undefined {
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = endOfString(text, i);
      const after = text.slice(end + 1).trimStart();
      if (after.startsWith(':')) lastKey = text.slice(i + 1, end);
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9eE+\-.]/.test(text.charAt(j))) j++;
      const literal = text.slice(i, j);
      if (/[.eE]/.test(literal)) return { key: lastKey, literal };
      i = j - 1;
    }
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
