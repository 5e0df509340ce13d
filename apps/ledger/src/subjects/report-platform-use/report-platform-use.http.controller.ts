import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { ReportPlatformUseRequest } from './report-platform-use.request.dto';
import { ReportPlatformUseCommand } from './report-platform-use.handler';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class ReportPlatformUseController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Records implied acceptance (§1.4) of every version whose 7 days had passed by `at`
   * and that the subject has not accepted; otherwise writes nothing (the answer lists no
   * event). Report use as often as convenient: it costs an event only when it counts.
   */
  @CommandRoute('platform-use', 'Report continued use; records implied acceptance of pending policy versions (§1.4)', 'service')
  async report(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: ReportPlatformUseRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new ReportPlatformUseCommand(subjectId, new Date(body.at), ctx)));
  }
}
