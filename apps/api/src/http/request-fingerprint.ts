import { createHash } from 'node:crypto';

/**
 * What identifies a request under its Idempotency-Key: the route parameters
 * and the body, hashed in a canonical form (object keys sorted), so the same
 * request sent with its keys in another order is the same request.
 */
export function requestFingerprint(request: { params?: unknown; body?: unknown }): string {
  return createHash('sha256')
    .update(stableStringify({ params: request.params, body: request.body ?? null }))
    .digest('hex');
}

type Work = { readonly text: string } | { readonly value: unknown };

/**
 * JSON with object keys sorted. It walks the value with an explicit stack
 * rather than by recursion, so a body nested thousands deep costs memory in
 * proportion to its size (which the body parser bounds) and can never
 * overflow the call stack. The output is byte for byte what the recursive
 * form produced, so keys recorded before still match.
 */
export function stableStringify(root: unknown): string {
  const out: string[] = [];
  const stack: Work[] = [{ value: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const { value } = item;
    if (Array.isArray(value)) pushInReverse(stack, arrayParts(value));
    else if (value && typeof value === 'object')
      pushInReverse(stack, objectParts(value as Record<string, unknown>));
    else out.push(String(JSON.stringify(value)));
  }
  return out.join('');
}

function arrayParts(value: readonly unknown[]): Work[] {
  const parts: Work[] = [{ text: '[' }];
  value.forEach((element, index) => {
    if (index > 0) parts.push({ text: ',' });
    parts.push({ value: element });
  });
  parts.push({ text: ']' });
  return parts;
}

function objectParts(value: Record<string, unknown>): Work[] {
  const parts: Work[] = [{ text: '{' }];
  Object.keys(value)
    .sort()
    .forEach((key, index) => {
      parts.push({ text: `${index > 0 ? ',' : ''}${JSON.stringify(key)}:` });
      parts.push({ value: value[key] });
    });
  parts.push({ text: '}' });
  return parts;
}

function pushInReverse(stack: Work[], parts: readonly Work[]): void {
  for (const part of [...parts].reverse()) stack.push(part);
}
