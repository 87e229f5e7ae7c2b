import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Observable } from 'rxjs';
import { ApiError } from '../common/errors/api-error';
import { AccessRule, isPublicRoute } from './authorization/access-rules';
import { ACCESS_RULES_KEY } from './authorization/authorize.decorator';
import { SESSION_TOKEN_INVALID, SESSION_TOKEN_STRATEGY } from './session-token.strategy';

/** First global guard: authenticates every route whose rule is not the declared PUBLIC one (`@Public(…)`) (400 missing, 401 invalid). */
@Injectable()
export class SessionAuthGuard extends AuthGuard(SESSION_TOKEN_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    const rules = this.reflector.getAllAndOverride<AccessRule[] | undefined>(ACCESS_RULES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublicRoute(rules) ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser): TUser {
    if (error instanceof Error) throw error;
    if (error || !user) throw new ApiError(401, SESSION_TOKEN_INVALID);
    return user;
  }
}
