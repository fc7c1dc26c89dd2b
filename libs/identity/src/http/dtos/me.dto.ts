import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../principal';

export class MeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() emailVerified!: boolean;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'E.164' }) phone!: string | null;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty() defaultCurrency!: string;
  @ApiProperty() twoFactorEnabled!: boolean;
  @ApiProperty() googleLinked!: boolean;
  @ApiProperty() hasPassword!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** Absent fields stay as they are; null clears name or phone. E-mail changes need verification and are not offered. */
export class UpdateMeDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+442079460958',
    description: 'E.164',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(32)
  phone?: string | null;
}

export class TwoFactorCodeDto {
  @ApiProperty({
    example: '123456',
    description: 'A current TOTP code (disable also accepts a recovery code)',
  })
  @IsString()
  @MaxLength(32)
  code!: string;
}

export class EnrolmentDto {
  @ApiProperty({ description: 'Base32 secret for typing into an authenticator; shown once' })
  secret!: string;
  @ApiProperty({ description: 'otpauth:// URI for a QR code; shown once' }) otpauthUri!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Each works once; shown once' })
  recoveryCodes!: string[];
}

export class EmailCodeDto {
  @ApiProperty({ example: '04817263', description: 'The code from the e-mail' })
  @IsString()
  @MaxLength(32)
  code!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}
