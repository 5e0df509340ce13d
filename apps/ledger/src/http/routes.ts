import { applyDecorators, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { Role } from '../config/ledger.config';
import { Roles } from './auth';

/** A command route: POST, 201, declared roles, the Idempotency-Key and If-Match headers. */
export const CommandRoute = (path: string, summary: string, ...roles: Role[]) =>
  applyDecorators(
    Post(path),
    HttpCode(201),
    Roles(...roles),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiHeader({ name: 'Idempotency-Key', required: true, description: 'a retry with the same key returns the first result' }),
    ApiHeader({ name: 'If-Match', required: false, description: 'the stream revision last seen, as "n"; 409 if it moved' }),
  );

/** A query route: GET with declared roles. */
export const QueryRoute = (path: string, summary: string, ...roles: Role[]) =>
  applyDecorators(Get(path), Roles(...roles), ApiBearerAuth(), ApiOperation({ summary }));
