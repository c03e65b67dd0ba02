/**
 * The catalogue: every check, in the order the runner runs them. Checks marked `background` start
 * first and run beside the rest (they mostly wait); the lockout check comes last because on an
 * endpoint whose lockout is keyed by address it locks the auditing machine out.
 */
import type { Check } from '../types.js';
import { bypassDescribeGroups } from './bypass/describe-groups.js';
import { bypassDtpCursor } from './bypass/dtp-cursor.js';
import { bypassFetchSession, bypassFetchSessionProbing } from './bypass/fetch-session.js';
import { bypassRegexSubscription } from './bypass/regex-subscription.js';
import { bypassStreamsTopics } from './bypass/streams-topics.js';
import { enumerationErrors, enumerationScramChallenge, enumerationTiming } from './enumeration.js';
import {
  leaksBrokerAddresses,
  leaksGroupListing,
  leaksInternalTopics,
  leaksUngrantedTopic,
} from './leaks.js';
import { limitsConnections, limitsLockout } from './limits.js';
import { preauthApis, preauthDeadline, preauthLargeFrame, preauthMetadata } from './preauth.js';
import { saslMechanisms, saslRequired } from './sasl.js';
import { tlsCertificate, tlsCiphers, tlsLegacyVersions, tlsRequired } from './tls.js';

export const CHECKS: readonly Check[] = [
  tlsRequired,
  tlsLegacyVersions,
  tlsCiphers,
  tlsCertificate,
  saslRequired,
  saslMechanisms,
  preauthApis,
  preauthMetadata,
  preauthLargeFrame,
  preauthDeadline,
  enumerationErrors,
  enumerationScramChallenge,
  enumerationTiming,
  leaksInternalTopics,
  leaksBrokerAddresses,
  leaksUngrantedTopic,
  leaksGroupListing,
  bypassFetchSession,
  bypassFetchSessionProbing,
  bypassStreamsTopics,
  bypassDtpCursor,
  bypassRegexSubscription,
  bypassDescribeGroups,
  limitsConnections,
  limitsLockout,
];
