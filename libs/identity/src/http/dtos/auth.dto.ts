import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/**
 * Optional, but not nullable: `null` is validated like any other value and
 * refused by the type check, instead of reaching a service that expects a
 * string or nothing. (class-validator's IsOptional lets null through.)
 */
const IsAbsentOr = () => ValidateIf((_, value) => value !== undefined);

/**
 * Request bodies bound what they accept (so a huge field cannot cost a hash
 * or a database round trip) and leave the rules with meaning (e-mail form,
 * password policy, E.164) to the services, which name the problem.
 */
export class SignUpDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 200 })
  @IsAbsentOr()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: '+442079460958', description: 'E.164' })
  @IsAbsentOr()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({
    example: 'USD',
    description: 'Currency of the wallet opened at sign-up; the server default when absent',
  })
  @IsAbsentOr()
  @IsString()
  @Length(3, 3)
  currency?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class SecondFactorLoginDto {
  @ApiProperty({ description: 'The challengeToken from POST /auth/login' })
  @IsString()
  @MaxLength(2048)
  challengeToken!: string;

  @ApiProperty({ example: '123456', description: 'A TOTP code, or a recovery code' })
  @IsString()
  @MaxLength(32)
  code!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  refreshToken!: string;
}

export class SessionTokensDto {
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty() accessToken!: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'Single use: each refresh returns the next one' })
  refreshToken!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
}

export class SignUpResponseDto extends SessionTokensDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The first wallet; absent only if opening it failed (the next login retries)',
  })
  walletId?: string;
  @ApiPropertyOptional({
    description: 'Position of the opening: pass as ?position= to GET /wallets to see it listed',
  })
  position?: string;
}

export class LoginResponseDto {
  @ApiProperty({
    description: 'When true, only challengeToken is set: finish with POST /auth/login/2fa',
  })
  twoFactorRequired!: boolean;
  @ApiPropertyOptional() challengeToken?: string;
  @ApiPropertyOptional() tokenType?: 'Bearer';
  @ApiPropertyOptional() accessToken?: string;
  @ApiPropertyOptional() expiresIn?: number;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional({ format: 'uuid' }) userId?: string;
}

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MaxLength(254)
  email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: '04817263', description: 'The code from the e-mail' })
  @IsString()
  @MaxLength(32)
  code!: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}
