import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { RecordPersonalDataCommand } from './record-personal-data.handler';
import { RecordPersonalDataRequest } from './record-personal-data.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RecordPersonalDataController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('personal-data', 'Record or update a personal-data value, sealed under the subject key (§2.4, §2.5)', 'service')
  async record(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RecordPersonalDataRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new RecordPersonalDataCommand(subjectId, body, ctx)));
  }
}
