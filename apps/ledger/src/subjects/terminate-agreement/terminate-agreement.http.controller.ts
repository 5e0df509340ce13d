import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { TerminateAgreementCommand } from './terminate-agreement.handler';
import { TerminateAgreementRequest } from './terminate-agreement.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class TerminateAgreementController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('agreement-termination', 'End the user agreement; retention ends 3 years later (§2.6)', 'service')
  async terminate(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: TerminateAgreementRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new TerminateAgreementCommand(subjectId, body, ctx)));
  }
}
