import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { AcceptPolicyCommand } from './accept-policy.handler';
import { AcceptPolicyRequest } from './accept-policy.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class AcceptPolicyController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('policy-acceptances', 'Record acceptance of a policy version, explicit or implied (§1.4)', 'service')
  async accept(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: AcceptPolicyRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new AcceptPolicyCommand(subjectId, body, ctx)));
  }
}
