import { Inject, Injectable } from '@nestjs/common';
import { subjectStream, type Decider, type SubjectCommand, type SubjectEvent, type SubjectState } from '@ledger/domain';
import type { CommandContext } from '../http/command-context';
import { DecisionRunner, type CommandResult } from '../infrastructure/decision-runner';
import { SUBJECT_DECIDER } from '../infrastructure/infrastructure.module';

/** Runs a command on a subject's stream (`subject-<id>`) through the subject decider. */
@Injectable()
export class SubjectCommands {
  constructor(
    private readonly runner: DecisionRunner,
    @Inject(SUBJECT_DECIDER) private readonly decider: Decider<SubjectCommand, SubjectEvent, SubjectState>,
  ) {}

  /**
   * Decides without appending: for handlers that must know a command would pass before
   * doing work with side effects (sealing creates the subject's data key).
   */
  check(command: SubjectCommand, state: SubjectState): void {
    this.decider.decide(command, state);
  }

  run(subjectId: string, ctx: CommandContext, command: (now: Date, state: SubjectState) => SubjectCommand | Promise<SubjectCommand>): Promise<CommandResult> {
    return this.runner.run({ decider: this.decider, streamId: subjectStream(subjectId), ctx, command: (state, now) => command(now, state) });
  }
}
