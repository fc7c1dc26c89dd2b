import { Controller, Get, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { LoginOutcome, RequestOrigin } from '../auth/auth.service';
import { GOOGLE_PROFILE_PROPERTY, GoogleAuthGuard } from '../google/google-auth.guard';
import type { GoogleProfile } from '../google/google-profile';
import { GoogleSignInCommand } from '../google/google-sign-in.handlers';
import { Public } from '../principal';
import { SessionCookieHeader } from './auth.controller';
import { LoginResponseDto } from './dtos/auth.dto';
import { orThrow } from './identity-rejection';
import { RateLimited, RateLimitGuard } from './rate-limit.guard';
import { Origin } from './request-origin';
import { RefreshCookieInterceptor } from './session-cookie';

@ApiTags('auth')
@Controller('auth/google')
@Public()
// Google sign-in can create accounts, so it counts against the sign-up limit.
@UseGuards(RateLimitGuard, GoogleAuthGuard)
// Like password login: a browser that asks for the cookie gets its refresh token there, so the
// session survives a reload.
@UseInterceptors(RefreshCookieInterceptor)
export class GoogleController {
  constructor(private readonly commands: CommandBus) {}

  /** The guard answers with the redirect to Google; this body never runs. */
  @Get()
  @RateLimited('signup')
  @ApiFoundResponse({ description: 'Redirect to Google, with a state cookie' })
  start(): void {}

  @Get('callback')
  @RateLimited('signup')
  @SessionCookieHeader()
  @ApiOkResponse({ type: LoginResponseDto })
  async callback(
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
  ): Promise<LoginOutcome> {
    const profile = (
      request as FastifyRequest & Record<typeof GOOGLE_PROFILE_PROPERTY, GoogleProfile>
    )[GOOGLE_PROFILE_PROPERTY];
    return orThrow(await this.commands.execute(new GoogleSignInCommand(profile, origin)));
  }
}
