import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Public, Roles } from '@ledger/identity';
import { MAX_CHECKPOINTS_PER_PAGE } from '@ledger/audit';
import { CheckpointPublicKeyQuery, CheckpointsPageQuery } from '@ledger/audit/nest';

class CheckpointsQueryDto {
  @ApiPropertyOptional({ description: 'Return checkpoints after this sequence number', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // Beyond this a number is no longer exact, and no series gets anywhere near it.
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CHECKPOINTS_PER_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CHECKPOINTS_PER_PAGE)
  limit?: number;
}

/** The signed checkpoints of the log, and the key that checks them (docs/audit.md). */
@ApiTags('ledger')
@Controller('ledger/checkpoints')
export class CheckpointsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiBearerAuth()
  @Roles('finance', 'auditor', 'admin')
  @ApiOkResponse({ description: 'Signed checkpoints in sequence order; page on with `after`.' })
  async list(@Query() query: CheckpointsQueryDto) {
    const items = await this.queries.execute(
      new CheckpointsPageQuery(query.after ?? 0, query.limit ?? 100),
    );
    return { items, nextAfter: items.at(-1)?.sequence ?? null };
  }

  /** Public: whoever holds a checkpoint can check it without an account. */
  @Get('public-key')
  @Public()
  @ApiOkResponse({ description: 'The Ed25519 public key, raw 32 bytes in base64, and its id.' })
  async publicKey() {
    const { algorithm, publicKey, keyId } = await this.queries.execute(
      new CheckpointPublicKeyQuery(),
    );
    return { algorithm, publicKey, keyId };
  }
}
