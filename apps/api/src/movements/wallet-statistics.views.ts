import { ApiProperty } from '@nestjs/swagger';
import { MOVEMENT_KINDS } from '@ledger/read-models';

/** One month of a wallet's statistics as the API shows it (`walletMonthlyTotals` in @ledger/read-models). */
export class MonthlyTotal {
  @ApiProperty({ example: '2026-11', description: 'UTC month' }) month!: string;
  @ApiProperty({
    enum: MOVEMENT_KINDS,
    description: 'Payments and refunds are counted apart from transfers',
  })
  kind!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '10000', description: 'Money in, completed movements' })
  inMinor!: string;
  @ApiProperty({ example: '2500', description: 'Money out, completed movements' })
  outMinor!: string;
  @ApiProperty({ example: 3, description: 'Completed movements (not events)' })
  movements!: number;
  @ApiProperty({ example: 1, description: 'Movements that failed: nothing moved' })
  failed!: number;
  @ApiProperty({ example: 0, description: 'Movements still pending' }) pending!: number;
}

export class WalletStatisticsView {
  @ApiProperty({ format: 'uuid' }) walletId!: string;
  @ApiProperty({ type: [MonthlyTotal] }) months!: MonthlyTotal[];
}
