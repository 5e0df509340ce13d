import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { RecordTransferCommand } from './record-transfer.handler';
import { RecordTransferRequest } from './record-transfer.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RecordTransferController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('transfers', 'Record a transfer to a registered recipient; cross-border when not KZ (§3, §4.4)', 'service')
  async record(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RecordTransferRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new RecordTransferCommand(subjectId, body, ctx)));
  }
}
