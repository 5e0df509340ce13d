import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthController } from './health/health.http.controller';
import { ShutdownState } from './health/shutdown';
import { ApiKeyGuard } from './http/auth';
import { ProblemFilter } from './http/problem.filter';
import { ReadSideModule } from './read-side/read-side.module';
import { ErasureScheduler } from './erasure/erasure-scheduler';
import { PublishingWorker } from './publishing/publishing';
import { LedgerMetrics, MetricsController } from './operations/metrics';
import { ProjectionLag } from './operations/projection-lag';
import { AcknowledgeErasureController } from './subjects/acknowledge-erasure/acknowledge-erasure.http.controller';
import { ReportPlatformUseController } from './subjects/report-platform-use/report-platform-use.http.controller';
import { ReportPlatformUseHandler } from './subjects/report-platform-use/report-platform-use.handler';
import { AcknowledgeErasureHandler } from './subjects/acknowledge-erasure/acknowledge-erasure.handler';
import { RecordPurposeAchievedHandler } from './subjects/record-purpose-achieved/record-purpose-achieved.handler';
import { RecordPurposeAchievedController } from './subjects/record-purpose-achieved/record-purpose-achieved.http.controller';
import { ProjectionStatusController } from './operations/projection-status.http.controller';
import { RegistersController } from './registers/registers.http.controller';
import { InfrastructureModule, type InfrastructureOptions } from './infrastructure/infrastructure.module';
import { ListPolicyVersionsController } from './policy/list-policy-versions/list-policy-versions.http.controller';
import { PublishPolicyVersionController } from './policy/publish-policy-version/publish-policy-version.http.controller';
import { PublishPolicyVersionHandler } from './policy/publish-policy-version/publish-policy-version.handler';
import { GetRecipientController } from './recipients/get-recipient/get-recipient.http.controller';
import { RecipientCommandHandler } from './recipients/register-recipient/register-recipient.handler';
import { RecipientRegisterController } from './recipients/register-recipient/register-recipient.http.controller';
import { AcceptPolicyHandler } from './subjects/accept-policy/accept-policy.handler';
import { AcceptPolicyController } from './subjects/accept-policy/accept-policy.http.controller';
import { GetSubjectHistoryController } from './subjects/get-subject-history/get-subject-history.http.controller';
import { GetSubjectHistoryHandler } from './subjects/get-subject-history/get-subject-history.query';
import { GetSubjectController } from './subjects/get-subject/get-subject.http.controller';
import { GetSubjectHandler } from './subjects/get-subject/get-subject.query';
import { GrantConsentHandler } from './subjects/grant-consent/grant-consent.handler';
import { GrantConsentController } from './subjects/grant-consent/grant-consent.http.controller';
import {
  OpenObligationHandler, PlaceLegalHoldHandler, ReleaseLegalHoldHandler, SettleObligationHandler,
} from './subjects/obligations/obligations.handler';
import { ObligationsController } from './subjects/obligations/obligations.http.controller';
import { PersonalDataReveal } from './subjects/personal-data-reveal';
import { RecordPersonalDataHandler } from './subjects/record-personal-data/record-personal-data.handler';
import { RecordPersonalDataController } from './subjects/record-personal-data/record-personal-data.http.controller';
import { RecordTransferHandler } from './subjects/record-transfer/record-transfer.handler';
import { RecordTransferController } from './subjects/record-transfer/record-transfer.http.controller';
import { LiftRestrictionHandler, RestrictProcessingHandler } from './subjects/restrict-processing/restrict-processing.handler';
import { RestrictProcessingController } from './subjects/restrict-processing/restrict-processing.http.controller';
import { RetractWithdrawalHandler } from './subjects/retract-withdrawal/retract-withdrawal.handler';
import { RetractWithdrawalController } from './subjects/retract-withdrawal/retract-withdrawal.http.controller';
import { SubjectCommands } from './subjects/subject-commands';
import { TerminateAgreementHandler } from './subjects/terminate-agreement/terminate-agreement.handler';
import { TerminateAgreementController } from './subjects/terminate-agreement/terminate-agreement.http.controller';
import { DemandDestructionHandler } from './subjects/demand-destruction/demand-destruction.handler';
import { DemandDestructionController } from './subjects/demand-destruction/demand-destruction.http.controller';
import { WithdrawConsentHandler } from './subjects/withdraw-consent/withdraw-consent.handler';
import { WithdrawConsentController } from './subjects/withdraw-consent/withdraw-consent.http.controller';

const commandHandlers = [
  GrantConsentHandler, WithdrawConsentHandler, RetractWithdrawalHandler, RecordPersonalDataHandler,
  RestrictProcessingHandler, LiftRestrictionHandler, RecordTransferHandler,
  OpenObligationHandler, SettleObligationHandler, PlaceLegalHoldHandler, ReleaseLegalHoldHandler,
  TerminateAgreementHandler, AcceptPolicyHandler, PublishPolicyVersionHandler, RecipientCommandHandler,
  AcknowledgeErasureHandler, ReportPlatformUseHandler, RecordPurposeAchievedHandler, DemandDestructionHandler,
];
const queryHandlers = [GetSubjectHandler, GetSubjectHistoryHandler];

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), InfrastructureModule.forRoot(options), ReadSideModule.forRoot()],
      controllers: [
        GrantConsentController, WithdrawConsentController, RetractWithdrawalController, RecordPersonalDataController,
        RestrictProcessingController, RecordTransferController, ObligationsController, TerminateAgreementController,
        AcceptPolicyController, GetSubjectController, GetSubjectHistoryController,
        PublishPolicyVersionController, ListPolicyVersionsController, RecipientRegisterController, GetRecipientController,
        RegistersController, ProjectionStatusController, HealthController, AcknowledgeErasureController, ReportPlatformUseController,
        RecordPurposeAchievedController, DemandDestructionController, MetricsController,
      ],
      providers: [
        ...commandHandlers,
        ...queryHandlers,
        SubjectCommands,
        PersonalDataReveal,
        ErasureScheduler,
        PublishingWorker,
        LedgerMetrics,
        ProjectionLag,
        ShutdownState,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
