import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { PassportModule } from '@nestjs/passport';
import { authConfig } from '../config/auth.config';
import { refusedInsideWriteGates } from '../database/write-gate';
import { AuthorizationGuard } from './authorization/authorization.guard';
import { EmbeddedUserDirectory } from './directory/embedded-user.directory';
import { TidepoolUserDirectory } from './directory/tidepool-user.directory';
import { UserDirectory } from './directory/user-directory';
import { RestrictedTokenRecord, RestrictedTokenSchema, UserRecord, UserSchema } from './directory/user.schema';
import { UsersRepository } from './directory/users.repository';
import { SessionAuthGuard } from './session-auth.guard';
import { SessionTokenStrategy } from './session-token.strategy';
import { JwtTokenIssuer } from './tokens/jwt-token.issuer';
import { JwtTokenValidator } from './tokens/jwt-token.validator';
import { ServerTokenProvider } from './tokens/server-token.provider';
import { ShorelineTokenValidator } from './tokens/shoreline-token.validator';
import { TokenKeys } from './tokens/token-keys';
import { TokenValidator } from './tokens/token-validator';

/**
 * Authentication (session tokens, two providers), authorization (one rule per handler, two
 * global guards in this order) and the user directory port.
 */
@Global()
@Module({
  imports: [
    PassportModule,
    MongooseModule.forFeature([
      { name: UserRecord.name, schema: UserSchema },
      { name: RestrictedTokenRecord.name, schema: RestrictedTokenSchema },
    ]),
  ],
  providers: [
    TokenKeys,
    JwtTokenIssuer,
    JwtTokenValidator,
    UsersRepository,
    EmbeddedUserDirectory,
    // The Tidepool adapters do no I/O until used, so both kinds can be constructed and one chosen.
    ServerTokenProvider,
    ShorelineTokenValidator,
    TidepoolUserDirectory,
    {
      provide: TokenValidator,
      inject: [authConfig.KEY, JwtTokenValidator, ShorelineTokenValidator],
      useFactory: (
        config: ConfigType<typeof authConfig>,
        jwt: JwtTokenValidator,
        shoreline: ShorelineTokenValidator,
      ): TokenValidator => (config.provider === 'jwt' ? jwt : shoreline),
    },
    {
      provide: UserDirectory,
      inject: [authConfig.KEY, EmbeddedUserDirectory, TidepoolUserDirectory],
      useFactory: (
        config: ConfigType<typeof authConfig>,
        embedded: EmbeddedUserDirectory,
        tidepool: TidepoolUserDirectory,
      ): UserDirectory =>
        refusedInsideWriteGates(config.userDirectory === 'embedded' ? embedded : tidepool, 'the user directory'),
    },
    SessionTokenStrategy,
    { provide: APP_GUARD, useClass: SessionAuthGuard },
    { provide: APP_GUARD, useClass: AuthorizationGuard },
  ],
  exports: [UserDirectory, EmbeddedUserDirectory, JwtTokenIssuer, TokenValidator],
})
export class AuthModule {}
