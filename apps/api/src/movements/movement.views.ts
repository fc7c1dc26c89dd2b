import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class MovementStep {
  @ApiProperty({ example: 'TransferFundsHeld' }) type!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({
    example: 'wallet_frozen',
    description: 'Why a step was refused or the movement failed',
  })
  reason?: string;
}

export class MovementView {
  @ApiProperty({ example: 'transfer-4b6c…' }) id!: string;
  @ApiProperty({ enum: ['transfer', 'topup', 'withdrawal'] }) kind!: string;
  @ApiProperty({
    enum: ['pending', 'completed', 'failed'],
    description: 'failed means failed and fully compensated',
  })
  status!: string;
  @ApiProperty({ example: 'held', description: "The saga's own state" }) phase!: string;
  @ApiProperty({ example: '1250' }) amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ type: [String] }) walletIds!: string[];
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
  @ApiProperty({ description: 'Global log position of the last step' }) position!: string;
}

/** What the movement route needs of a loaded saga to decide which wallet ids a caller may see. */
export interface MovementParties {
  readonly kind: string;
  readonly state: unknown;
  readonly walletIds: readonly string[];
}

/**
 * The wallet ids of a movement a party may see. A transfer's recipient sees
 * only the wallet that was credited: the sender's wallet id is the sender's
 * own business. Staff and a transfer's sender see every wallet it touched.
 */
export function visibleWalletIds(
  movement: MovementParties,
  callerId: string,
  isStaff: boolean,
): string[] {
  if (isStaff || movement.kind !== 'transfer') return [...movement.walletIds];
  const request = (movement.state as { request?: TransferParties }).request;
  if (!request) return [];
  if (request.requestedBy === callerId || request.fromOwnerId === callerId)
    return [...movement.walletIds];
  return [request.toWalletId];
}

interface TransferParties {
  readonly requestedBy: string;
  readonly fromOwnerId: string;
  readonly toWalletId: string;
}
