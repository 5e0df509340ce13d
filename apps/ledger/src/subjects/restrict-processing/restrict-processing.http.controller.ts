import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { NoFieldsBody, NoFieldsPipe, OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { LiftRestrictionCommand, RestrictProcessingCommand } from './restrict-processing.handler';
import { RestrictProcessingRequest } from './restrict-processing.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RestrictProcessingController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('restrictions', 'Block processing (§2.5)', 'service')
  async restrict(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RestrictProcessingRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new RestrictProcessingCommand(subjectId, body, ctx)));
  }

  @CommandRoute('restriction-lifts', 'Lift the block on processing (§2.5)', 'service')
  @NoFieldsBody()
  async lift(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body(NoFieldsPipe) _body: undefined, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new LiftRestrictionCommand(subjectId, ctx)));
  }
}
