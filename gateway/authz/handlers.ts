/**
 * Which authorization each forwarded API gets — the single table docs/acls.md describes. An API
 * the gateway forwards must have an entry here: one without is refused and not offered (the
 * filter in index.ts; test/unit/authz checks that every client API of the codec has one and that
 * every request field naming a resource is covered, see request-fields.ts).
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  ApiKey,
  encodeResponseFrame,
  type CreateDelegationTokenResponse,
  type RequestApiKey,
  type RequestFrame,
} from '../../protocol/index.js';
import type { FilterDecision } from '../session/client-session.js';
import { AclOperation } from '../../security/acl/index.js';
import * as admin from './apis/admin.js';
import * as data from './apis/data.js';
import * as groups from './apis/groups.js';
import * as metadata from './apis/metadata.js';
import * as share from './apis/share.js';
import * as txn from './apis/txn.js';
import { blankResponse, blankResponseElement } from './blank.js';
import { errorMessage } from './errors.js';
import { FORWARD, answer, type ApiHandler, type AuthzRule } from './types.js';

const { ALTER, DESCRIBE, DESCRIBE_CONFIGS, CLUSTER_ACTION } = AclOperation;

/**
 * Broker-to-broker APIs: the gateway is no broker, so they are refused for every principal, with
 * the answer Kafka gives a client without CLUSTER_ACTION (each request's getErrorResponse).
 */
function interBroker(apiKey: number): ApiHandler {
  return (frame, az) => {
    az.denied(4, 'kafka-cluster', CLUSTER_ACTION);
    if (apiKey === ApiKey.WriteTxnMarkers) {
      const body = frame.body(ApiKey.WriteTxnMarkers);
      return answer(frame, ApiKey.WriteTxnMarkers, {
        markers: body.markers.map((m) => ({ producerId: m.producerId, topics: [] })),
      });
    }
    if (SHARE_STATE_APIS.has(apiKey)) return shareStateDenied(frame, apiKey);
    return { kind: 'answer', response: blankAnswer(frame.apiKey, frame.apiVersion, frame.correlationId) };
  };
}

/** The share-group state RPCs (KIP-932 share coordinator): results per topic id and partition. */
const SHARE_STATE_APIS: ReadonlySet<number> = new Set([
  ApiKey.InitializeShareGroupState,
  ApiKey.ReadShareGroupState,
  ApiKey.WriteShareGroupState,
  ApiKey.DeleteShareGroupState,
  ApiKey.ReadShareGroupStateSummary,
]);

function shareStateDenied(frame: RequestFrame, apiKey: number): FilterDecision {
  const body = frame.body(apiKey as typeof ApiKey.ReadShareGroupState) as unknown as {
    topics: { topicId: string; partitions: { partition: number }[] }[];
  };
  const response = {
    ...blankResponse(apiKey),
    results: body.topics.map((t) => ({
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({
        ...blankResponseElement(apiKey, ['results', 'partitions']),
        partition: p.partition,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: errorMessage(ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
      })),
    })),
  };
  return {
    kind: 'answer',
    response: encodeResponseFrame(
      apiKey as RequestApiKey,
      frame.apiVersion,
      frame.correlationId,
      response as never,
    ),
  };
}

function blankAnswer(apiKey: number, version: number, correlationId: number): Buffer {
  const body = blankResponse(apiKey);
  if ('errorCode' in body) body.errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  return encodeResponseFrame(apiKey as RequestApiKey, version, correlationId, body as never);
}

/**
 * Delegation tokens would be issued to the gateway's own upstream principal: never through it.
 * The gateway answers as a Kafka broker whose token feature is disabled does
 * (DELEGATION_TOKEN_AUTH_DISABLED), after the owner check CreateDelegationToken makes first
 * (INVALID_PRINCIPAL_TYPE for an owner that is not a User).
 */
const noTokens: ApiHandler = (frame, az) => {
  if (frame.apiKey !== ApiKey.CreateDelegationToken)
    return groups.topLevelError(frame, frame.apiKey as never, ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
  const body = frame.body(ApiKey.CreateDelegationToken);
  const [type, ...name] = az.principal.split(':');
  const badOwner = body.ownerPrincipalType !== null && body.ownerPrincipalType !== 'User';
  return answer(frame, ApiKey.CreateDelegationToken, {
    ...(blankResponse(ApiKey.CreateDelegationToken) as unknown as CreateDelegationTokenResponse),
    errorCode: badOwner ? ErrorCode.INVALID_PRINCIPAL_TYPE : ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED,
    principalType: type!,
    principalName: name.join(':'),
    // v3+ also names the requester (the same principal: the owner check failed or was not asked).
    ...(frame.apiVersion >= 3
      ? { tokenRequesterPrincipalType: type!, tokenRequesterPrincipalName: name.join(':') }
      : {}),
    issueTimestampMs: -1n,
    expiryTimestampMs: -1n,
    maxTimestampMs: -1n,
  });
};

const open: ApiHandler = () => FORWARD;

const rule = (handler: ApiHandler, minVersion: number, maxVersion: number): AuthzRule => ({
  handler,
  versions: [minVersion, maxVersion],
});

/**
 * The rule per forwarded API, with the request versions it was written for: the versions of the
 * codec when it was last reviewed. A version outside the range is neither offered in ApiVersions
 * nor forwarded, so a Kafka upgrade that adds a version waits for a review of this table (and of
 * request-fields.ts, which test/unit/authz checks against the generated message definitions).
 */
export const RULES: ReadonlyMap<number, AuthzRule> = new Map<number, AuthzRule>([
  [ApiKey.Produce, rule(data.produce, 3, 13)],
  [ApiKey.Fetch, rule(data.fetch, 4, 18)],
  [ApiKey.ListOffsets, rule(data.listOffsets, 1, 11)],
  [ApiKey.Metadata, rule(metadata.metadata, 0, 13)],
  [ApiKey.OffsetCommit, rule(groups.offsetCommit, 2, 10)],
  [ApiKey.OffsetFetch, rule(groups.offsetFetch, 1, 10)],
  [ApiKey.FindCoordinator, rule(groups.findCoordinator, 0, 6)],
  [ApiKey.JoinGroup, rule(groups.joinGroup, 0, 9)],
  [ApiKey.Heartbeat, rule(groups.heartbeat, 0, 4)],
  [ApiKey.LeaveGroup, rule(groups.leaveGroup, 0, 5)],
  [ApiKey.SyncGroup, rule(groups.syncGroup, 0, 5)],
  [ApiKey.DescribeGroups, rule(groups.describeGroups, 0, 6)],
  [ApiKey.ListGroups, rule(groups.listGroups, 0, 5)],
  [ApiKey.CreateTopics, rule(admin.createTopics, 2, 7)],
  [ApiKey.DeleteTopics, rule(admin.deleteTopics, 1, 6)],
  [ApiKey.DeleteRecords, rule(data.deleteRecords, 0, 2)],
  [ApiKey.InitProducerId, rule(txn.initProducerId, 0, 6)],
  [ApiKey.OffsetForLeaderEpoch, rule(data.offsetForLeaderEpoch, 2, 4)],
  [ApiKey.AddPartitionsToTxn, rule(txn.addPartitionsToTxn, 0, 5)],
  [ApiKey.AddOffsetsToTxn, rule(txn.addOffsetsToTxn, 0, 4)],
  [ApiKey.EndTxn, rule(txn.endTxn, 0, 5)],
  [ApiKey.WriteTxnMarkers, rule(interBroker(ApiKey.WriteTxnMarkers), 1, 2)],
  [ApiKey.TxnOffsetCommit, rule(txn.txnOffsetCommit, 0, 5)],
  [ApiKey.DescribeConfigs, rule(admin.describeConfigs, 1, 4)],
  [ApiKey.AlterConfigs, rule(admin.alterConfigs, 0, 2)],
  [ApiKey.AlterReplicaLogDirs, rule(admin.alterReplicaLogDirs, 1, 2)],
  [ApiKey.DescribeLogDirs, rule(admin.describeLogDirs, 1, 5)],
  [ApiKey.CreatePartitions, rule(admin.createPartitions, 0, 3)],
  [ApiKey.CreateDelegationToken, rule(noTokens, 1, 3)],
  [ApiKey.RenewDelegationToken, rule(noTokens, 1, 2)],
  [ApiKey.ExpireDelegationToken, rule(noTokens, 1, 2)],
  [ApiKey.DescribeDelegationToken, rule(noTokens, 1, 3)],
  [ApiKey.DeleteGroups, rule(groups.deleteGroups, 0, 2)],
  [ApiKey.ElectLeaders, rule(admin.electLeaders, 0, 2)],
  [ApiKey.IncrementalAlterConfigs, rule(admin.incrementalAlterConfigs, 0, 1)],
  [ApiKey.AlterPartitionReassignments, rule(admin.alterPartitionReassignments, 0, 1)],
  [ApiKey.ListPartitionReassignments, rule(admin.listPartitionReassignments, 0, 0)],
  [ApiKey.OffsetDelete, rule(groups.offsetDelete, 0, 0)],
  [
    ApiKey.DescribeClientQuotas,
    rule(
      admin.clusterApi(ApiKey.DescribeClientQuotas, DESCRIBE_CONFIGS, { errorMessage: null, entries: null }),
      0,
      1,
    ),
  ],
  [ApiKey.AlterClientQuotas, rule(admin.alterClientQuotas, 0, 1)],
  [ApiKey.DescribeQuorum, rule(admin.clusterApi(ApiKey.DescribeQuorum, DESCRIBE), 0, 2)],
  [ApiKey.UpdateFeatures, rule(admin.updateFeatures, 0, 2)],
  [ApiKey.DescribeCluster, rule(metadata.describeCluster, 0, 2)],
  [ApiKey.DescribeProducers, rule(data.describeProducers, 0, 0)],
  [
    ApiKey.UnregisterBroker,
    rule(admin.clusterApi(ApiKey.UnregisterBroker, ALTER, admin.controllerDenial('ALTER')), 0, 0),
  ],
  [ApiKey.DescribeTransactions, rule(txn.describeTransactions, 0, 0)],
  [ApiKey.ListTransactions, rule(txn.listTransactions, 0, 2)],
  [ApiKey.ConsumerGroupHeartbeat, rule(groups.consumerGroupHeartbeat, 0, 1)],
  [ApiKey.ConsumerGroupDescribe, rule(groups.consumerGroupDescribe, 0, 1)],
  // Client telemetry (KIP-714) carries no resource: Kafka authorizes nothing.
  [ApiKey.GetTelemetrySubscriptions, rule(open, 0, 0)],
  [ApiKey.PushTelemetry, rule(open, 0, 0)],
  [ApiKey.ListConfigResources, rule(admin.clusterApi(ApiKey.ListConfigResources, DESCRIBE_CONFIGS), 0, 1)],
  [ApiKey.DescribeTopicPartitions, rule(metadata.describeTopicPartitions, 0, 0)],
  [ApiKey.ShareGroupHeartbeat, rule(groups.shareGroupHeartbeat, 1, 1)],
  [ApiKey.ShareGroupDescribe, rule(groups.shareGroupDescribe, 1, 1)],
  [ApiKey.ShareFetch, rule(share.shareFetch, 1, 2)],
  [ApiKey.ShareAcknowledge, rule(share.shareAcknowledge, 1, 2)],
  [ApiKey.AddRaftVoter, rule(admin.clusterApi(ApiKey.AddRaftVoter, ALTER), 0, 1)],
  [ApiKey.RemoveRaftVoter, rule(admin.clusterApi(ApiKey.RemoveRaftVoter, ALTER), 0, 0)],
  [ApiKey.InitializeShareGroupState, rule(interBroker(ApiKey.InitializeShareGroupState), 0, 0)],
  [ApiKey.ReadShareGroupState, rule(interBroker(ApiKey.ReadShareGroupState), 0, 0)],
  [ApiKey.WriteShareGroupState, rule(interBroker(ApiKey.WriteShareGroupState), 0, 1)],
  [ApiKey.DeleteShareGroupState, rule(interBroker(ApiKey.DeleteShareGroupState), 0, 0)],
  [ApiKey.ReadShareGroupStateSummary, rule(interBroker(ApiKey.ReadShareGroupStateSummary), 0, 1)],
  [ApiKey.StreamsGroupHeartbeat, rule(groups.streamsGroupHeartbeat, 0, 0)],
  [ApiKey.StreamsGroupDescribe, rule(groups.streamsGroupDescribe, 0, 0)],
  [ApiKey.DescribeShareGroupOffsets, rule(share.describeShareGroupOffsets, 0, 1)],
  [ApiKey.AlterShareGroupOffsets, rule(share.alterShareGroupOffsets, 0, 0)],
  [ApiKey.DeleteShareGroupOffsets, rule(share.deleteShareGroupOffsets, 0, 0)],
]);
