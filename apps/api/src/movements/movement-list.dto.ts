import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { MOVEMENT_KINDS, MOVEMENT_STATUSES } from '@ledger/read-models';
import { PageQueryDto, PositionQueryDto } from '../wallets/wallet-query.dto';

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').filter((v) => v !== '') : value;

export class MovementQueryDto extends PositionQueryDto {
  @ApiPropertyOptional({
    example: 'en-GB',
    description: 'A BCP 47 locale: every amount also carries a formatted form',
  })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  format?: string;
}

/** Filters shared by the movement list and the statement. */
export class MovementFilterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: MOVEMENT_KINDS,
    description: 'One kind, or several comma-separated',
  })
  @IsOptional()
  @Transform(list)
  @IsIn(MOVEMENT_KINDS, { each: true })
  kind?: string[];

  @ApiPropertyOptional({
    enum: MOVEMENT_STATUSES,
    description: 'One status, or several comma-separated',
  })
  @IsOptional()
  @Transform(list)
  @IsIn(MOVEMENT_STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    description: 'Only movements with this person on the other side: their e-mail or phone (E.164)',
    example: 'bob@example.com',
  })
  @IsOptional()
  @IsString()
  @Length(3, 320)
  counterparty?: string;

  @ApiPropertyOptional({
    example: 'en-GB',
    description: 'A BCP 47 locale: every amount also carries a formatted form',
  })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  format?: string;
}

export class ListMovementsQueryDto extends MovementFilterQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only movements touching this wallet' })
  @IsOptional()
  @IsUUID()
  walletId?: string;
}

export class CounterpartyView {
  @ApiPropertyOptional({ example: 'Bob Example' }) name?: string;
  @ApiPropertyOptional({ example: 'b**@example.com', description: 'Masked' }) email?: string;
  @ApiPropertyOptional({ example: '+44*******123', description: 'Masked' }) phone?: string;
}

export class FxView {
  @ApiProperty({ example: '1.08', description: 'Units of the credited currency per debited unit' })
  rate!: string;
  @ApiPropertyOptional({ example: 'configured' }) source?: string;
  @ApiProperty({ example: '1000' }) debitedMinor!: string;
  @ApiProperty({ example: 'EUR' }) debitedCurrency!: string;
  @ApiProperty({ example: '1080' }) creditedMinor!: string;
  @ApiProperty({ example: 'USD' }) creditedCurrency!: string;
}

export class MovementLegView {
  @ApiProperty({ format: 'uuid', description: "One of the caller's own wallets" })
  walletId!: string;
  @ApiProperty({ enum: ['in', 'out'] }) direction!: string;
  @ApiProperty({ example: '-2500', description: 'Signed minor units: + in, − out' })
  amountMinor!: string;
  @ApiPropertyOptional({ example: '-€25.00', description: 'With ?format=' })
  amountFormatted?: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ enum: MOVEMENT_STATUSES }) status!: string;
  @ApiProperty({ example: '0', description: 'Held on this wallet while pending' })
  heldMinor!: string;
}

export class MovementItemView {
  @ApiProperty({ example: 'transfer-4b6c…' }) id!: string;
  @ApiProperty({ enum: MOVEMENT_KINDS }) kind!: string;
  @ApiProperty({ enum: MOVEMENT_STATUSES }) status!: string;
  @ApiPropertyOptional({ example: 'exceeds_available', description: 'Why it failed (a code)' })
  reason?: string;
  @ApiPropertyOptional({ example: 'The amount exceeds the available balance' })
  reasonText?: string;
  @ApiProperty({ example: '2500', description: 'The amount requested, minor units' })
  amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ type: [MovementLegView] }) legs!: MovementLegView[];
  @ApiPropertyOptional({ type: CounterpartyView }) counterparty?: CounterpartyView;
  @ApiPropertyOptional({ type: FxView }) fx?: FxView;
  @ApiPropertyOptional({ example: 'dinner' }) description?: string;
  @ApiPropertyOptional({ example: 'order-1234' }) reference?: string;
  @ApiPropertyOptional({ example: 'transfer-9d1e…', description: "A refund's payment" })
  paymentId?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
}

export class MovementPageView {
  @ApiProperty({ type: [MovementItemView] }) items!: MovementItemView[];
  @ApiPropertyOptional({ description: 'Pass back as ?cursor= for the next page' })
  nextCursor?: string;
}

export class StatementLineView {
  @ApiProperty({ example: 'transfer-4b6c…' }) movementId!: string;
  @ApiProperty({ enum: MOVEMENT_KINDS }) kind!: string;
  @ApiProperty({ enum: MOVEMENT_STATUSES }) status!: string;
  @ApiPropertyOptional({ example: 'exceeds_available' }) reason?: string;
  @ApiPropertyOptional() reasonText?: string;
  @ApiProperty({ enum: ['in', 'out'] }) direction!: string;
  @ApiProperty({
    example: '-2500',
    description: 'Signed minor units; what moved once completed, nothing moved when failed',
  })
  amountMinor!: string;
  @ApiPropertyOptional({ example: '-€25.00' }) amountFormatted?: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '2500', description: 'Held while pending, else 0' }) heldMinor!: string;
  @ApiPropertyOptional({
    example: '7500',
    description: 'Posted balance right after this row; completed rows only',
  })
  balanceAfterMinor?: string;
  @ApiPropertyOptional({ example: '€75.00' }) balanceAfterFormatted?: string;
  @ApiPropertyOptional({ type: CounterpartyView }) counterparty?: CounterpartyView;
  @ApiPropertyOptional({ type: FxView }) fx?: FxView;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional() reference?: string;
  @ApiPropertyOptional({ description: "A refund's payment" }) paymentId?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
}

export class StatementView {
  @ApiProperty({ format: 'uuid' }) walletId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ type: [StatementLineView] }) items!: StatementLineView[];
  @ApiPropertyOptional() nextCursor?: string;
}
