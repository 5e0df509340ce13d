import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { NoFieldsBody, NoFieldsPipe, OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import {
  OpenObligationCommand, PlaceLegalHoldCommand, ReleaseLegalHoldCommand, SettleObligationCommand,
} from './obligations.handler';
import { OpenObligationRequest, PlaceLegalHoldRequest } from './obligations.request.dto';

/** §2.8 — what stands in the way of a withdrawal: open obligations and legal holds. */
@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class ObligationsController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('obligations', 'Open an obligation of the subject (§2.8)', 'service')
  async open(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: OpenObligationRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new OpenObligationCommand(subjectId, body, ctx)));
  }

  @CommandRoute('obligations/:obligationId/settlement', 'Settle an open obligation (§2.8)', 'service')
  @NoFieldsBody()
  async settle(
    @Param('subjectId', OpaqueIdPipe) subjectId: string,
    @Param('obligationId', OpaqueIdPipe) obligationId: string,
    @Body(NoFieldsPipe) _body: undefined,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.commands.execute(new SettleObligationCommand(subjectId, obligationId, ctx)));
  }

  @CommandRoute('legal-holds', 'Place a legal hold (§2.8)', 'service', 'admin')
  async hold(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: PlaceLegalHoldRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new PlaceLegalHoldCommand(subjectId, body, ctx)));
  }

  @CommandRoute('legal-holds/:holdId/release', 'Release a legal hold (§2.8)', 'service', 'admin')
  @NoFieldsBody()
  async release(
    @Param('subjectId', OpaqueIdPipe) subjectId: string,
    @Param('holdId', OpaqueIdPipe) holdId: string,
    @Body(NoFieldsPipe) _body: undefined,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.commands.execute(new ReleaseLegalHoldCommand(subjectId, holdId, ctx)));
  }
}
