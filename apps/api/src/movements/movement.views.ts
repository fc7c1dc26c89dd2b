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
  @ApiProperty({ type: [MovementStep] }) steps!: MovementStep[];
  @ApiProperty({ description: 'Global log position of the last step' }) position!: string;
}
