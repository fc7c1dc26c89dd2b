import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionPrincipal } from '../access/access.guard';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { isRejected, rejected } from '../identity.rejections';
import {
  CompleteSecondFactorCommand,
  LogInCommand,
  LogOutCommand,
  RefreshSessionCommand,
  SignUpCommand,
} from '../auth/auth.handlers';
import type { LoginOutcome, RequestOrigin } from '../auth/auth.service';
import {
  ConfirmPasswordResetCommand,
  RequestPasswordResetCommand,
} from '../auth/password.handlers';
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
import { orThrow } from './identity-rejection';
import { RateLimited, RateLimitGuard } from './rate-limit.guard';
import { CurrentSession, Origin } from './request-origin';
import {
  checkCookieRequest,
  clearRefreshCookie,
  RefreshCookieInterceptor,
  refreshTokenFromCookie,
  secureCookies,
} from './session-cookie';

/** Documents the opt-in on every route that can answer with a session. */
export const SessionCookieHeader = () =>
  ApiHeader({
    name: 'X-Ledger-Session',
    required: false,
    description:
      'cookie: put the refresh token in an HttpOnly cookie for POST /auth/session/refresh instead of the body (browsers)',
  });

@ApiTags('auth')
@Controller('auth')
@UseGuards(RateLimitGuard)
@UseInterceptors(RefreshCookieInterceptor)
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  @Public()
  @Post('signup')
  @SessionCookieHeader()
  @RateLimited('signup')
  @ApiCreatedResponse({
    type: SignUpResponseDto,
    description: 'The account, its first wallet and a session',
  })
  async signUp(@Body() body: SignUpDto, @Origin() origin: RequestOrigin): Promise<SessionTokens> {
    return orThrow(await this.commands.execute(new SignUpCommand(body, origin)));
  }

  @Public()
  @Post('login')
  @SessionCookieHeader()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @Origin() origin: RequestOrigin): Promise<LoginOutcome> {
    return orThrow(await this.commands.execute(new LogInCommand(body, origin)));
  }

  @Public()
  @Post('login/2fa')
  @SessionCookieHeader()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokensDto })
  async loginSecondFactor(
    @Body() body: SecondFactorLoginDto,
    @Origin() origin: RequestOrigin,
  ): Promise<SessionTokens> {
    return orThrow(
      await this.commands.execute(
        new CompleteSecondFactorCommand(body.challengeToken, body.code, origin),
      ),
    );
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
    return orThrow(
      await this.commands.execute(new RefreshSessionCommand(body.refreshToken, origin)),
    );
  }

  /**
   * The browser's refresh: the refresh token comes in the HttpOnly cookie
   * set at login and the next one goes back the same way. Same rotation and
   * reuse detection as the JSON route; a refused token clears the cookie.
   */
  @Public()
  @Post('session/refresh')
  @RateLimited('refresh')
  @HttpCode(200)
  @ApiHeader({ name: 'X-Ledger-Session', required: true, description: 'cookie' })
  @ApiOkResponse({
    type: SessionTokensDto,
    description: 'The next access token; the next refresh token is in the cookie, not the body',
  })
  async refreshFromCookie(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
    @Origin() origin: RequestOrigin,
  ): Promise<SessionTokens> {
    orThrow(checkCookieRequest(request));
    const token = refreshTokenFromCookie(request);
    if (!token) return orThrow(rejected('refresh_cookie_missing'));
    const outcome = await this.commands.execute(new RefreshSessionCommand(token, origin));
    if (isRejected(outcome)) clearRefreshCookie(response, secureCookies(this.config, request));
    return orThrow(outcome);
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
    orThrow(
      await this.commands.execute(
        new RequestPasswordResetCommand(body.email, origin.correlationId),
      ),
    );
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
    orThrow(
      await this.commands.execute(new ConfirmPasswordResetCommand(body, origin.correlationId)),
    );
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  async logout(
    @CurrentSession() caller: SessionPrincipal,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<void> {
    await this.commands.execute(new LogOutCommand(caller.userId, caller.sessionId, origin));
    clearRefreshCookie(response, secureCookies(this.config, request));
  }
}
