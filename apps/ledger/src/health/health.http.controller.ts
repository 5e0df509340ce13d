import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { Public } from '../http/auth';
import { ProblemException } from '../http/problem';
import { ProblemDetails } from '../http/openapi-models';
import { HEALTH } from '../http/openapi-views';
import { ProblemResponse } from '../http/routes';
import { ShutdownState } from './shutdown';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, private readonly shutdown: ShutdownState) {}

  /** Liveness: the process answers. */
  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'alive', content: { 'application/json': { schema: HEALTH } } })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the event store answers, and the process is not shutting down. */
  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: the event store answers and the instance is not shutting down' })
  @ApiExtraModels(ProblemDetails)
  @ApiOkResponse({ description: 'ready', content: { 'application/json': { schema: HEALTH } } })
  @ProblemResponse(503, 'not ready: SHUTTING_DOWN, or STORAGE_UNAVAILABLE')
  async ready() {
    // from the shutdown signal on, not ready: the load balancer stops routing here
    if (this.shutdown.active) throw new ProblemException(503, 'SHUTTING_DOWN', 'this instance is shutting down');
    await this.store.headPosition();
    return { status: 'ok' };
  }
}
