import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';

export class CreatePayoutDestinationDto {
  @ApiProperty({ enum: ['bank_account', 'connected_account'] })
  @IsIn(['bank_account', 'connected_account'])
  type!: 'bank_account' | 'connected_account';

  @ApiProperty({
    example: 'ba_1NXWPn2eZvKYlo2C',
    description: "The provider's id for the bank account (ba_…) or connected account (acct_…)",
  })
  @Matches(/^(ba|acct)_[A-Za-z0-9_]{1,100}$/, {
    message: 'providerRef must be a provider id such as ba_… or acct_…',
  })
  providerRef!: string;

  @ApiProperty({ example: 'Main account', maxLength: 80 })
  @IsString()
  @Length(1, 80)
  label!: string;
}
