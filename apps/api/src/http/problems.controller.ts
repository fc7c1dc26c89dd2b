import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '@ledger/identity';
import { problemTitle, problemType } from './problem';
import { isApiRejection, messageOf, REJECTION_STATUS, RejectionException } from './rejection';

export class ProblemTypeView {
  @ApiProperty({ example: '/problems/wallet_not_found' }) type!: string;
  @ApiProperty({ example: 'Wallet not found' }) title!: string;
  @ApiProperty({ example: 404, description: 'The status every answer of this type has' })
  status!: number;
  @ApiProperty({ example: 'The wallet does not exist', description: 'The usual detail' })
  detail!: string;
  @ApiProperty({ example: 'wallet_not_found' }) code!: string;
}

/**
 * Makes each problem `type` a URI that resolves: `GET /problems/{code}`
 * describes the rejection from the same table the answers come from.
 */
@ApiTags('problems')
@Public()
@Controller('problems')
export class ProblemsController {
  @Get(':code')
  @ApiParam({ name: 'code', example: 'wallet_not_found', description: 'A rejection code' })
  @ApiOkResponse({ type: ProblemTypeView })
  describe(@Param('code') code: string): ProblemTypeView {
    if (!isApiRejection(code)) throw new RejectionException('not_found', 'No such problem type');
    const status = REJECTION_STATUS[code];
    return {
      type: problemType(code),
      title: problemTitle(code, status),
      status,
      detail: messageOf(code),
      code,
    };
  }
}
