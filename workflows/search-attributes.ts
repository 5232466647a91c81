import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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

export const SEARCH_ATTRIBUTES = [OnboardingStatus, KvkNumber, BankCode, OrganizationId, EnvironmentId, ConnectionId];
