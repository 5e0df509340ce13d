import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LEDGER_CONFIG, type LedgerConfig, type Role } from '../config/ledger.config';
import { ProblemException } from './problem';

export interface Principal {
  readonly name: string;
  /** `system`: the ledger's own workers (the erasure scheduler); never an API key */
  readonly role: Role | 'system';
}

const ROLES_KEY = 'ledger:roles';
const PUBLIC_KEY = 'ledger:public';

/** Every route declares who may call it; a route that declares nothing is closed. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

const digest = (secret: string) => hash('sha256', secret, 'hex');

/** API keys with roles, from configuration; deny by default (registered as APP_GUARD). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Map<string, Principal>;

  constructor(private readonly reflector: Reflector, @Inject(LEDGER_CONFIG) config: LedgerConfig) {
    // Looked up by digest: the comparison never runs over the secret itself.
    this.keys = new Map(config.apiKeys.map((k) => [digest(k.secret), { name: k.name, role: k.role }]));
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    if (!token) throw new ProblemException(401, 'UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"');
    const principal = this.keys.get(digest(token));
    if (!principal) throw new ProblemException(401, 'UNAUTHENTICATED', 'the API key is not recognised');
    const allowed: readonly string[] = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!allowed.includes(principal.role)) {
      throw new ProblemException(403, 'FORBIDDEN', `the ${principal.role} role may not call this route`);
    }
    request.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('no principal on a guarded route');
  return principal;
});
