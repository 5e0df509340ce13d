import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { LedgerIdPipe, OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { AcknowledgeErasureRequest } from './acknowledge-erasure.request.dto';
import { AcknowledgeErasureCommand } from './acknowledge-erasure.handler';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class AcknowledgeErasureController {
  constructor(private readonly commands: CommandBus) {}

  /** A repeat of the same acknowledgement is recorded once (the answer lists no new event). */
  @CommandRoute('erasures/:erasureId/acknowledgements', 'Record that a system deleted the subject\'s data; completes the erasure when all have (§2.10)', 'service')
  async acknowledge(
    @Param('subjectId', OpaqueIdPipe) subjectId: string,
    @Param('erasureId', LedgerIdPipe) erasureId: string,
    @Body() body: AcknowledgeErasureRequest,
    @Command() ctx: CommandContext,
  ) {
    return commandResponse(await this.commands.execute(new AcknowledgeErasureCommand(subjectId, erasureId, body.system, ctx)));
  }
}
