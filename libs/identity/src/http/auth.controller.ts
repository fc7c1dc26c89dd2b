import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { SessionPrincipal } from '../access/access.guard';
import { AuthService, type LoginOutcome, type RequestOrigin } from '../auth/auth.service';
import { Public } from '../principal';
import type { SessionTokens } from '../sessions/session.service';
import { AuthThrottlerGuard } from './auth-throttler.guard';
import {
  LoginDto,
  LoginResponseDto,
  RefreshDto,
  SecondFactorLoginDto,
  SessionTokensDto,
  SignUpDto,
} from './dtos/auth.dto';
import { IdentityRejectionFilter, orThrow } from './identity-rejection';
import { CurrentSession, Origin } from './request-origin';

@ApiTags('auth')
@Controller('auth')
@UseGuards(AuthThrottlerGuard)
@UseFilters(IdentityRejectionFilter)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('signup')
  @ApiCreatedResponse({
    type: SessionTokensDto,
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
  @HttpCode(200)
  @ApiOkResponse({
    type: SessionTokensDto,
    description: 'The next access and refresh token; the presented one is spent',
  })
  async refresh(@Body() body: RefreshDto, @Origin() origin: RequestOrigin): Promise<SessionTokens> {
    return orThrow(await this.auth.refresh(body.refreshToken, origin));
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
