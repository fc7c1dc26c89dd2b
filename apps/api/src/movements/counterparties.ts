import { Injectable } from '@nestjs/common';
import { ContactDirectory } from '@ledger/identity';
import type { CounterpartyView } from './movement-list.dto';

/** "bob@example.com" → "b**@example.com": enough to recognise, not to write to. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const local = email.slice(0, at);
  return `${local[0]}${'*'.repeat(Math.min(local.length - 1, 8) || 1)}${email.slice(at)}`;
}

/** "+447700900123" → "+44*******123". */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '***';
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 6)}${phone.slice(-3)}`;
}

/** At most this many distinct people are named per answer (a page holds at most 200 rows). */
const MAX_LOOKUPS = 200;

/**
 * The other party of a movement, as its display name and masked contact.
 * Read models keep only the other owner's id, which is never answered; the
 * name and contact are decrypted from identity when an answer is built, once
 * per distinct person on the page.
 */
@Injectable()
export class Counterparties {
  constructor(private readonly contacts: ContactDirectory) {}

  async describe(ownerIds: Iterable<string | undefined>): Promise<Map<string, CounterpartyView>> {
    const unique = [...new Set([...ownerIds].filter((id): id is string => !!id))].slice(
      0,
      MAX_LOOKUPS,
    );
    const found = await Promise.all(
      unique.map(async (id) => [id, await this.contacts.contactOf(id)] as const),
    );
    const views = new Map<string, CounterpartyView>();
    for (const [id, contact] of found) {
      if (!contact) continue;
      views.set(id, {
        ...(contact.name && { name: contact.name }),
        email: maskEmail(contact.email),
        ...(contact.phone && { phone: maskPhone(contact.phone) }),
      });
    }
    return views;
  }
}
