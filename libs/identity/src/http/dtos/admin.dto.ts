import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from '../../audit/security-event';
import { MAX_SECURITY_EVENTS_PAGE } from '../../audit/security-audit.service';
import { ROLES, type Role } from '../../principal';

const INT8_MAX = (1n << 63n) - 1n;

/** Digits whose value fits the bigint column they are compared with, so a cursor never overflows in SQL. */
function IsInt8Text(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInt8Text',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= INT8_MAX,
      },
    });
}

export class ReplaceRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true, example: ['customer', 'finance'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

export class RolesDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
}

export class UserLookupQueryDto {
  @ApiProperty({ example: 'bob@example.com', description: "The user's account e-mail" })
  @IsString()
  @Length(3, 254)
  email!: string;
}

export class UserRolesDto extends RolesDto {
  @ApiProperty({ description: 'Staff roles are given only to users with a verified e-mail' })
  emailVerified!: boolean;
}

export class SecurityEventsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: SECURITY_EVENT_TYPES })
  @IsOptional()
  @IsIn(SECURITY_EVENT_TYPES)
  type?: SecurityEventType;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'cursor must be a nextCursor returned by this endpoint' })
  @IsInt8Text({ message: 'cursor must be a nextCursor returned by this endpoint' })
  cursor?: string;

  @ApiPropertyOptional({ deprecated: true, description: 'Deprecated: the same as cursor' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'before must be a cursor returned by this endpoint' })
  @IsInt8Text({ message: 'before must be a cursor returned by this endpoint' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SECURITY_EVENTS_PAGE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SECURITY_EVENTS_PAGE)
  limit?: number;
}

export class SecurityEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Where this event sits in the trail' }) cursor!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ enum: SECURITY_EVENT_TYPES }) type!: SecurityEventType;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

export class SecurityEventsPageDto {
  @ApiProperty({ type: [SecurityEventDto], description: 'Newest first' })
  items!: SecurityEventDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
  @ApiProperty({ type: [SecurityEventDto], deprecated: true, description: 'Deprecated: items' })
  events!: SecurityEventDto[];
  @ApiPropertyOptional({
    deprecated: true,
    description: 'Deprecated: nextCursor, absent at the end',
  })
  next?: string;
}
