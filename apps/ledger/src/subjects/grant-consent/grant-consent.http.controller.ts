import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext } from '../../http/command-context';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import { GrantConsentCommand } from './grant-consent.handler';
import { GrantConsentRequest } from './grant-consent.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class GrantConsentController {
  constructor(private readonly commands: CommandBus) {}

  @CommandRoute('consents', 'Record consent for one or more purposes (§2.1, §2.3)', 'service')
  async grant(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: GrantConsentRequest, @Command() ctx: CommandContext) {
    return commandResponse(await this.commands.execute(new GrantConsentCommand(subjectId, body, ctx)));
  }
}
