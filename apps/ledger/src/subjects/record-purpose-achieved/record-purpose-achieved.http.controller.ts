import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { RecordPurposeAchievedRequest } from './record-purpose-achieved.request.dto';
import { RecordPurposeAchievedCommand } from './record-purpose-achieved.handler';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RecordPurposeAchievedController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('purpose-achievements', 'Record that a purpose was achieved; schedules erasure when no basis remains (§2.10)', 'service')
  async record(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RecordPurposeAchievedRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new RecordPurposeAchievedCommand(subjectId, body, ctx)));
  }
}
