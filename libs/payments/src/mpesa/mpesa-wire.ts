import { must } from '@ledger/invariant';
import { PermanentGatewayError } from '../payment-gateway.errors';

/**
 * What goes on Daraja's wire, kept in one place: amounts in whole shillings,
 * phone numbers without the plus, timestamps in Nairobi time, and the STK
 * password. Everything here refuses what it cannot represent exactly rather
 * than rounding or guessing.
 */

/** KES has two minor units (cents); M-Pesa moves whole shillings only. */
const KES_MINOR_PER_SHILLING = 100n;
/** M-Pesa's own transaction limit (KES 250,000); anything above is refused before a call. */
export const MPESA_MAX_SHILLINGS = 250_000n;

export function toShillings(amountMinor: bigint, currency: string): number {
  if (currency !== 'KES') throw invalid(`M-Pesa moves KES only, not ${currency}`);
  if (amountMinor <= 0n) throw invalid('amountMinor must be greater than zero');
  if (amountMinor % KES_MINOR_PER_SHILLING !== 0n)
    throw invalid(`amountMinor ${amountMinor} is not a whole number of shillings`);
  const shillings = amountMinor / KES_MINOR_PER_SHILLING;
  if (shillings > MPESA_MAX_SHILLINGS)
    throw invalid(
      `amountMinor ${amountMinor} is above M-Pesa's limit of KES ${MPESA_MAX_SHILLINGS}`,
    );
  return Number(shillings);
}

/** The way back: a callback's `Amount` must be a whole, positive number of shillings. */
export function fromShillings(amount: unknown): bigint {
  const text = typeof amount === 'number' || typeof amount === 'string' ? String(amount) : '';
  if (!/^[1-9]\d{0,8}(\.0+)?$/.test(text))
    throw new RangeError(`Not a whole number of shillings: ${String(amount)}`);
  return BigInt(must(text.split('.')[0], 'whole shillings')) * KES_MINOR_PER_SHILLING;
}

/** Daraja wants Kenyan numbers as 2547XXXXXXXX / 2541XXXXXXXX; the ledger keeps E.164. */
export function toMsisdn(phone: string): string {
  const match = /^\+?(254[17]\d{8})$/.exec(phone);
  const msisdn = match?.[1];
  if (msisdn === undefined)
    throw invalid('the phone number is not a Kenyan mobile number (+2547… or +2541…)');
  return msisdn;
}

/** yyyyMMddHHmmss in East Africa Time (UTC+3 all year), as the STK password expects. */
export function darajaTimestamp(at: Date): string {
  const eat = new Date(at.getTime() + 3 * 3_600_000);
  return eat.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`).toString('base64');
}

function invalid(message: string): PermanentGatewayError {
  return new PermanentGatewayError('invalid_request', message);
}
