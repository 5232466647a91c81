import { defineSearchAttributeKey, SearchAttributeType, type TypedSearchAttributes } from '@temporalio/common';

/**
 * Support finds workflows in the Temporal UI by these (DESIGN.md "Contracts"). They are registered on the dev
 * server at start and by docker-compose's admin-tools job; all are Keyword.
 */
export const OnboardingStatus = defineSearchAttributeKey('OnboardingStatus', SearchAttributeType.KEYWORD);
export const KvkNumber = defineSearchAttributeKey('KvkNumber', SearchAttributeType.KEYWORD);
export const BankCode = defineSearchAttributeKey('BankCode', SearchAttributeType.KEYWORD);
export const OrganizationId = defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD);
export const EnvironmentId = defineSearchAttributeKey('EnvironmentId', SearchAttributeType.KEYWORD);
export const ConnectionId = defineSearchAttributeKey('ConnectionId', SearchAttributeType.KEYWORD);
/** `activation-link` or `serial`: the two ways an onboarding reaches the client. */
export const OnboardingFlavour = defineSearchAttributeKey('OnboardingFlavour', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  OnboardingStatus,
  KvkNumber,
  BankCode,
  OrganizationId,
  EnvironmentId,
  ConnectionId,
  OnboardingFlavour,
];

/**
 * What every fetch of a connection carries (and its Schedule too), so support finds the fetches by connection,
 * office, bank or the client's KvK number, beside the onboarding.
 */
export function fetchSearchAttributes(fetch: {
  connectionId: string;
  organizationId: string;
  bankCode: string;
  kvkNumber: string | null;
}): ConstructorParameters<typeof TypedSearchAttributes>[0] {
  return [
    { key: ConnectionId, value: fetch.connectionId },
    { key: OrganizationId, value: fetch.organizationId },
    { key: BankCode, value: fetch.bankCode },
    ...(fetch.kvkNumber ? [{ key: KvkNumber, value: fetch.kvkNumber }] : []),
  ];
}
