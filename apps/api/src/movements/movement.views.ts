import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MOVEMENT_KINDS } from '@ledger/read-models';
import { MovementItemView } from './movement-list.dto';

export class MovementStep {
  @ApiProperty({ example: 'TransferFundsHeld' }) type!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({
    example: 'wallet_frozen',
    description: 'Why a step was refused or the movement failed',
  })
  reason?: string;
}

/** A movement as the list shows it, plus the saga's own state and steps. */
export class MovementView extends MovementItemView {
  @ApiProperty({ enum: MOVEMENT_KINDS }) declare kind: string;
  @ApiProperty({
    enum: ['pending', 'completed', 'failed'],
    description: 'failed means failed and fully compensated',
  })
  declare status: string;
  @ApiProperty({ example: 'held', description: "The saga's own state" }) phase!: string;
  @ApiProperty({ type: [String], description: 'The wallets of the movement the caller may see' })
  walletIds!: string[];
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiPropertyOptional() failureReason?: string;
  @ApiPropertyOptional({
    example: '1.0812',
    description: 'Cross-currency transfers: units of the credited currency per unit sent',
  })
  fxRate?: string;
  @ApiPropertyOptional({ example: 'ECB', description: 'Where the rate came from' })
  fxSource?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the provider published the rate' })
  fxAsOf?: string;
  @ApiProperty({ type: [MovementStep] }) steps!: MovementStep[];
  @ApiProperty({
    description: 'Global log position of the last step (empty for an adjustment)',
  })
  position!: string;
}

/** What the movement route needs of a replayed saga to decide which wallet ids a caller may see. */
export interface MovementParties {
  readonly kind: string;
  readonly state: unknown;
  readonly walletIds: readonly string[];
}

/**
 * The wallet ids of a movement a party may see: their own. Each side of a
 * transfer sees only its own wallet (the other side's is that customer's
 * business, and is shown as a display name instead). Staff see every wallet
 * it touched.
 */
export function visibleWalletIds(
  movement: MovementParties,
  callerId: string,
  isStaff: boolean,
): string[] {
  if (isStaff || movement.kind !== 'transfer') return [...movement.walletIds];
  const request = (movement.state as { request?: TransferParties }).request;
  if (!request) return [];
  return [
    ...(request.fromOwnerId === callerId ? [request.fromWalletId] : []),
    ...(request.toOwnerId === callerId ? [request.toWalletId] : []),
  ];
}

interface TransferParties {
  readonly fromOwnerId: string;
  readonly fromWalletId: string;
  readonly toOwnerId: string;
  readonly toWalletId: string;
}
