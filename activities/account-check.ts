import { ApplicationFailure } from '@temporalio/common';
import { connectabilityProblems, type ConnectabilityCheck } from '../domain/bank-account';
import { AuditEvent, BankAccount } from '../db/entities';
import type { ActivityDeps } from '.';

export function createAccountCheckActivities({ orm }: Pick<ActivityDeps, 'orm'>) {
  return {
    /**
     * Records the check on the account. Idempotent: a retry overwrites the same fields with a fresh answer; the
     * audit row and the update commit together.
     */
    async checkBankAccountConnectability(input: {
      organizationId: string;
      bankAccountId: string;
    }): Promise<ConnectabilityCheck> {
      const em = orm.em.fork();
      return em.transactional(async (tx) => {
        const account = await tx.findOne(BankAccount, { id: input.bankAccountId, organization: input.organizationId });
        if (!account) {
          throw ApplicationFailure.nonRetryable(`bank account ${input.bankAccountId} not found`, 'BankAccountNotFound');
        }
        const problems = connectabilityProblems({
          type: account.type,
          iban: account.iban ?? null,
          journalId: account.journal?.id ?? null,
          currency: account.currency,
        });
        const check: ConnectabilityCheck = {
          connectable: problems.length === 0,
          problems,
          checkedAt: new Date().toISOString(),
        };
        account.lastCheck = check;
        tx.create(AuditEvent, {
          organization: input.organizationId,
          actor: 'workflow:account-check',
          action: 'bank_account.checked',
          subjectType: 'BankAccount',
          subjectId: account.id,
          details: { connectable: check.connectable, problems },
        });
        return check;
      });
    },
  };
}
