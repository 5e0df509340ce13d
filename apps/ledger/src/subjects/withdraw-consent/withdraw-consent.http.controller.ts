import { Body, Controller, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { WithdrawalRefused } from '@ledger/domain';
import { Command, type CommandContext } from '../../http/command-context';
import { ProblemException } from '../../http/problem';
import { CommandRoute } from '../../http/routes';
import { OpaqueIdPipe } from '../../http/validation';
import { commandResponse } from '../../http/views';
import type { CommandResult } from '../../infrastructure/decision-runner';
import { WithdrawConsentCommand } from './withdraw-consent.handler';
import { WithdrawConsentRequest } from './withdraw-consent.request.dto';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId')
export class WithdrawConsentController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * §2.8 — a refused withdrawal is recorded (the policy wants the reason on file) and
   * answered 422 with the clause; the problem names the event that recorded it.
   */
  @CommandRoute('consent-withdrawals', 'Withdraw consent; schedules erasure due in 30 working days (§2.7, §2.8, §2.10)', 'service')
  async withdraw(@Param('subjectId', OpaqueIdPipe) subjectId: string, @Body() body: WithdrawConsentRequest, @Command() ctx: CommandContext) {
    const result: CommandResult = await this.commands.execute(new WithdrawConsentCommand(subjectId, body, ctx));
    const refusal = result.events.find((e) => e.type === 'WithdrawalRefused');
    if (refusal) {
      const data = refusal.data as WithdrawalRefused['data'];
      throw new ProblemException(422, 'WITHDRAWAL_REFUSED', `the withdrawal is refused while there is ${data.reason === 'legal-hold' ? 'a legal hold' : 'an unfulfilled obligation'}; the refusal is recorded`, {
        clause: data.clause,
        reason: data.reason,
        recorded: { eventId: refusal.eventId, revision: refusal.revision.toString(), position: refusal.position.toString() },
      });
    }
    return commandResponse(result);
  }
}
