import { Body, Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { commandResponse } from '../../http/views';
import { PublishPolicyVersionCommand } from './publish-policy-version.handler';
import { PublishPolicyVersionRequest } from './publish-policy-version.request.dto';

@ApiTags('policy')
@Controller('v1')
export class PublishPolicyVersionController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('policy-versions', 'Publish a policy version (§1.4)', 'admin')
  async publish(@Body() body: PublishPolicyVersionRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new PublishPolicyVersionCommand(body, ctx)));
  }
}
