/**
 * Which authorization each forwarded API gets — the single table docs/acls.md describes. An API
 * the gateway forwards must have an entry here: one without is refused (test/unit/authz checks
 * that every client API of the codec has one).
 */
import { ApiKey, encodeResponseFrame, type RequestApiKey } from '../../protocol/index.js';
import { AclOperation } from '../../security/acl/index.js';
import * as admin from './apis/admin.js';
import * as data from './apis/data.js';
import * as groups from './apis/groups.js';
import * as metadata from './apis/metadata.js';
import * as share from './apis/share.js';
import * as txn from './apis/txn.js';
import { blankResponse } from './blank.js';
import { Err } from './errors.js';
import { FORWARD, answer, type ApiHandler } from './types.js';

const { ALTER, DESCRIBE, DESCRIBE_CONFIGS, CLUSTER_ACTION } = AclOperation;

/** Broker-to-broker APIs: the gateway is no broker, so they are refused for every principal. */
function interBroker(apiKey: number): ApiHandler {
  return (frame, az) => {
    az.denied(4, 'kafka-cluster', CLUSTER_ACTION);
    if (apiKey === ApiKey.WriteTxnMarkers) {
      const body = frame.body(ApiKey.WriteTxnMarkers);
      return answer(frame, ApiKey.WriteTxnMarkers, {
        markers: body.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              errorCode: Err.CLUSTER_AUTHORIZATION_FAILED,
            })),
          })),
        })),
      });
    }
    return { kind: 'answer', response: blankAnswer(frame.apiKey, frame.apiVersion, frame.correlationId) };
  };
}

function blankAnswer(apiKey: number, version: number, correlationId: number): Buffer {
  const body = blankResponse(apiKey);
  if ('errorCode' in body) body.errorCode = Err.CLUSTER_AUTHORIZATION_FAILED;
  return encodeResponseFrame(apiKey as RequestApiKey, version, correlationId, body as never);
}

/** Delegation tokens would be issued to the gateway's own upstream principal: never through it. */
const noTokens: ApiHandler = (frame) =>
  groups.topLevelError(frame, frame.apiKey as never, Err.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);

const open: ApiHandler = () => FORWARD;

export const HANDLERS: ReadonlyMap<number, ApiHandler> = new Map<number, ApiHandler>([
  [ApiKey.Produce, data.produce],
  [ApiKey.Fetch, data.fetch],
  [ApiKey.ListOffsets, data.listOffsets],
  [ApiKey.Metadata, metadata.metadata],
  [ApiKey.OffsetCommit, groups.offsetCommit],
  [ApiKey.OffsetFetch, groups.offsetFetch],
  [ApiKey.FindCoordinator, groups.findCoordinator],
  [ApiKey.JoinGroup, groups.joinGroup],
  [ApiKey.Heartbeat, groups.heartbeat],
  [ApiKey.LeaveGroup, groups.leaveGroup],
  [ApiKey.SyncGroup, groups.syncGroup],
  [ApiKey.DescribeGroups, groups.describeGroups],
  [ApiKey.ListGroups, groups.listGroups],
  [ApiKey.CreateTopics, admin.createTopics],
  [ApiKey.DeleteTopics, admin.deleteTopics],
  [ApiKey.DeleteRecords, data.deleteRecords],
  [ApiKey.InitProducerId, txn.initProducerId],
  [ApiKey.OffsetForLeaderEpoch, data.offsetForLeaderEpoch],
  [ApiKey.AddPartitionsToTxn, txn.addPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, txn.addOffsetsToTxn],
  [ApiKey.EndTxn, txn.endTxn],
  [ApiKey.WriteTxnMarkers, interBroker(ApiKey.WriteTxnMarkers)],
  [ApiKey.TxnOffsetCommit, txn.txnOffsetCommit],
  [ApiKey.DescribeConfigs, admin.describeConfigs],
  [ApiKey.AlterConfigs, admin.alterConfigs],
  [ApiKey.AlterReplicaLogDirs, admin.alterReplicaLogDirs],
  [ApiKey.DescribeLogDirs, admin.clusterApi(ApiKey.DescribeLogDirs, DESCRIBE)],
  [ApiKey.CreatePartitions, admin.createPartitions],
  [ApiKey.CreateDelegationToken, noTokens],
  [ApiKey.RenewDelegationToken, noTokens],
  [ApiKey.ExpireDelegationToken, noTokens],
  [ApiKey.DescribeDelegationToken, noTokens],
  [ApiKey.DeleteGroups, groups.deleteGroups],
  [ApiKey.ElectLeaders, admin.electLeaders],
  [ApiKey.IncrementalAlterConfigs, admin.incrementalAlterConfigs],
  [ApiKey.AlterPartitionReassignments, admin.alterPartitionReassignments],
  [ApiKey.ListPartitionReassignments, admin.clusterApi(ApiKey.ListPartitionReassignments, DESCRIBE)],
  [ApiKey.OffsetDelete, groups.offsetDelete],
  [ApiKey.DescribeClientQuotas, admin.clusterApi(ApiKey.DescribeClientQuotas, DESCRIBE_CONFIGS)],
  [ApiKey.AlterClientQuotas, admin.alterClientQuotas],
  [ApiKey.DescribeQuorum, admin.clusterApi(ApiKey.DescribeQuorum, DESCRIBE)],
  [ApiKey.UpdateFeatures, admin.updateFeatures],
  [ApiKey.DescribeCluster, metadata.describeCluster],
  [ApiKey.DescribeProducers, data.describeProducers],
  [ApiKey.UnregisterBroker, admin.clusterApi(ApiKey.UnregisterBroker, ALTER)],
  [ApiKey.DescribeTransactions, txn.describeTransactions],
  [ApiKey.ListTransactions, txn.listTransactions],
  [ApiKey.ConsumerGroupHeartbeat, groups.consumerGroupHeartbeat],
  [ApiKey.ConsumerGroupDescribe, groups.consumerGroupDescribe],
  // Client telemetry (KIP-714) carries no resource: Kafka authorizes nothing.
  [ApiKey.GetTelemetrySubscriptions, open],
  [ApiKey.PushTelemetry, open],
  [ApiKey.ListConfigResources, admin.clusterApi(ApiKey.ListConfigResources, DESCRIBE_CONFIGS)],
  [ApiKey.DescribeTopicPartitions, metadata.describeTopicPartitions],
  [ApiKey.ShareGroupHeartbeat, groups.shareGroupHeartbeat],
  [ApiKey.ShareGroupDescribe, groups.shareGroupDescribe],
  [ApiKey.ShareFetch, share.shareFetch],
  [ApiKey.ShareAcknowledge, share.shareAcknowledge],
  [ApiKey.AddRaftVoter, admin.clusterApi(ApiKey.AddRaftVoter, ALTER)],
  [ApiKey.RemoveRaftVoter, admin.clusterApi(ApiKey.RemoveRaftVoter, ALTER)],
  [ApiKey.InitializeShareGroupState, interBroker(ApiKey.InitializeShareGroupState)],
  [ApiKey.ReadShareGroupState, interBroker(ApiKey.ReadShareGroupState)],
  [ApiKey.WriteShareGroupState, interBroker(ApiKey.WriteShareGroupState)],
  [ApiKey.DeleteShareGroupState, interBroker(ApiKey.DeleteShareGroupState)],
  [ApiKey.ReadShareGroupStateSummary, interBroker(ApiKey.ReadShareGroupStateSummary)],
  [ApiKey.StreamsGroupHeartbeat, groups.streamsGroupHeartbeat],
  [ApiKey.StreamsGroupDescribe, groups.streamsGroupDescribe],
  [ApiKey.DescribeShareGroupOffsets, share.describeShareGroupOffsets],
  [ApiKey.AlterShareGroupOffsets, share.alterShareGroupOffsets],
  [ApiKey.DeleteShareGroupOffsets, share.deleteShareGroupOffsets],
]);
