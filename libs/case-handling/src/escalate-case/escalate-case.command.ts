import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

/**
 * Issued by the system (the SLA watcher, ADR 0029), never over HTTP: a breach still unmet after
 * its grace period is escalated to the street's supervisors, once per breach. Decided again on
 * the fresh state after a lost race (where the decider may find it done, or the clock met).
 */
export class EscalateCaseCommand extends CaseCommandMessage<'EscalateCase'> {}

@CommandHandler(EscalateCaseCommand)
export class EscalateCaseHandler implements ICommandHandler<EscalateCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: EscalateCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
