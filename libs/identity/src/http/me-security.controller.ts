import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { SessionPrincipal } from '../access/access.guard';
import type { RequestOrigin } from '../auth/auth.service';
import { ChangePasswordCommand } from '../auth/password.handlers';
import {
  SendEmailVerificationCommand,
  VerifyEmailCommand,
} from '../email/email-verification.handlers';
import { ChangePasswordDto, EmailCodeDto } from './dtos/me.dto';
import { orThrow } from './identity-rejection';
import { RateLimited, RateLimitGuard } from './rate-limit.guard';
import { CurrentSession, Origin } from './request-origin';

/** The signed-in user's proofs: their e-mail address and their password. */
@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
@UseGuards(RateLimitGuard)
export class MeSecurityController {
  constructor(private readonly commands: CommandBus) {}

  @Post('email/verification')
  @RateLimited('email_code')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'A code was e-mailed to the address; it replaces any earlier one',
  })
  async sendVerification(
    @CurrentSession() caller: SessionPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    orThrow(
      await this.commands.execute(
        new SendEmailVerificationCommand(caller.userId, origin.correlationId),
      ),
    );
  }

  @Post('email/verify')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The address is verified' })
  async verify(
    @CurrentSession() caller: SessionPrincipal,
    @Body() body: EmailCodeDto,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    orThrow(
      await this.commands.execute(
        new VerifyEmailCommand(caller.userId, body.code, origin.correlationId),
      ),
    );
  }

  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password replaced; every other session ended' })
  async changePassword(
    @CurrentSession() caller: SessionPrincipal,
    @Body() body: ChangePasswordDto,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    orThrow(
      await this.commands.execute(
        new ChangePasswordCommand(
          { userId: caller.userId, sessionId: caller.sessionId },
          body.currentPassword,
          body.newPassword,
          origin.correlationId,
        ),
      ),
    );
  }
}
