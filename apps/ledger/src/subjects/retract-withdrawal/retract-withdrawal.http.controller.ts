import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { RetractWithdrawalCommand } from './retract-withdrawal.handler';
import { RetractWithdrawalRequest } from './retract-withdrawal.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class RetractWithdrawalController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('withdrawal-retractions', 'Retract a withdrawal before its erasure is due; cancels the erasure (§2.10)', 'service')
  async retract(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: RetractWithdrawalRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new RetractWithdrawalCommand(subjectId, body, ctx)));
  }
}
