import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { SessionPrincipal } from '../access/access.guard';
import { AuthService, type LoginOutcome, type RequestOrigin } from '../auth/auth.service';
import { PasswordService } from '../auth/password.service';
import { Public } from '../principal';
import type { SessionTokens } from '../sessions/session.service';
import {
  LoginDto,
  LoginResponseDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  SecondFactorLoginDto,
  SessionTokensDto,
  SignUpResponseDto,
  SignUpDto,
} from './dtos/auth.dto';
import { IdentityRejectionFilter, orThrow } from './identity-rejection';
import { RateLimited, RateLimitGuard } from './rate-limit.guard';
import { CurrentSession, Origin } from './request-origin';

@ApiTags('auth')
@Controller('auth')
@UseGuards(RateLimitGuard)
@UseFilters(IdentityRejectionFilter)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwords: PasswordService,
  ) {}

  @Public()
  @Post('signup')
  @RateLimited('signup')
  @ApiCreatedResponse({
    type: SignUpResponseDto,
    description: 'The account, its first wallet and a session',
  })
  async signUp(@Body() body: SignUpDto, @Origin() origin: RequestOrigin): Promise<SessionTokens> {
    return orThrow(await this.auth.signUp(body, origin));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @Origin() origin: RequestOrigin): Promise<LoginOutcome> {
    return orThrow(await this.auth.login(body, origin));
  }

  @Public()
  @Post('login/2fa')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokensDto })
  async loginSecondFactor(
    @Body() body: SecondFactorLoginDto,
    @Origin() origin: RequestOrigin,
  ): Promise<SessionTokens> {
    return orThrow(await this.auth.completeSecondFactor(body.challengeToken, body.code, origin));
  }

  @Public()
  @Post('refresh')
  @RateLimited('refresh')
  @HttpCode(200)
  @ApiOkResponse({
    type: SessionTokensDto,
    description: 'The next access and refresh token; the presented one is spent',
  })
  async refresh(@Body() body: RefreshDto, @Origin() origin: RequestOrigin): Promise<SessionTokens> {
    return orThrow(await this.auth.refresh(body.refreshToken, origin));
  }

  @Public()
  @Post('password-reset')
  @RateLimited('email_code')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description:
      'The same answer whether or not the address has an account; if it has, a code is e-mailed to it',
  })
  async requestPasswordReset(
    @Body() body: PasswordResetRequestDto,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    orThrow(this.passwords.requestReset(body.email, origin.correlationId));
  }

  @Public()
  @Post('password-reset/confirm')
  @RateLimited('email_code')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password replaced; every session of the account ended' })
  async confirmPasswordReset(
    @Body() body: PasswordResetConfirmDto,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    orThrow(await this.passwords.confirmReset(body, origin.correlationId));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  async logout(
    @CurrentSession() caller: SessionPrincipal,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    await this.auth.logout(caller.userId, caller.sessionId, origin);
  }
}
