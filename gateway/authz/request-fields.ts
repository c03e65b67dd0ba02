/**
 * Every request field of every forwarded API that could name something (an entityType in Kafka's
 * message definitions, a string, a uuid), and what the authorization rule does with it. The unit
 * test test/unit/authz/completeness.test.ts derives the fields from the generated message
 * definitions and fails for any field that is not listed here, so a Kafka upgrade that adds a
 * field (or an API) is refused until someone decides how it is authorized; it also proves for
 * each `resources` field that a denied value changes what the gateway does.
 *
 * - resources: names a topic (by name or id), group or transactional id that the rule authorizes
 *   one by one, as Kafka's KafkaApis does.
 * - clusterScoped: names resources, but Kafka authorizes the request by a permission on the
 *   cluster (or refuses it to every client, for broker-to-broker APIs): so does the rule.
 * - selectors: selects resources without naming them one by one (regular expressions, patterns,
 *   a pagination cursor, the topics a fetch session forgets): Kafka authorizes what they select,
 *   the rule filters what the broker answers or tracks the session (fetch-session.ts).
 * - other: names no ACL resource (member ids, racks, config keys and values, producer ids, ...).
 */
import { ApiKey } from '../../protocol/index.js';

export interface RequestFieldClasses {
  readonly resources?: readonly string[];
  readonly clusterScoped?: readonly string[];
  readonly selectors?: readonly string[];
  readonly other?: readonly string[];
}

export const REQUEST_FIELDS: ReadonlyMap<number, RequestFieldClasses> = new Map<number, RequestFieldClasses>([
  [ApiKey.Produce, { resources: ['transactionalId', 'topicData[].name', 'topicData[].topicId'] }],
  [
    ApiKey.Fetch,
    {
      resources: ['topics[].topic', 'topics[].topicId'],
      selectors: ['forgottenTopicsData[].topic', 'forgottenTopicsData[].topicId'],
      other: [
        'clusterId',
        'replicaId',
        'replicaState.replicaId',
        'topics[].partitions[].replicaDirectoryId',
        'rackId',
      ],
    },
  ],
  [ApiKey.ListOffsets, { resources: ['topics[].name'], other: ['replicaId'] }],
  [ApiKey.Metadata, { resources: ['topics[].topicId', 'topics[].name'] }],
  [
    ApiKey.OffsetCommit,
    {
      resources: ['groupId', 'topics[].name', 'topics[].topicId'],
      other: ['memberId', 'groupInstanceId', 'topics[].partitions[].committedMetadata'],
    },
  ],
  [
    ApiKey.OffsetFetch,
    {
      resources: [
        'groupId',
        'topics[].name',
        'groups[].groupId',
        'groups[].topics[].name',
        'groups[].topics[].topicId',
      ],
      other: ['groups[].memberId'],
    },
  ],
  [ApiKey.FindCoordinator, { resources: ['key', 'coordinatorKeys[]'] }],
  [
    ApiKey.JoinGroup,
    {
      resources: ['groupId'],
      other: ['memberId', 'groupInstanceId', 'protocolType', 'protocols[].name', 'reason'],
    },
  ],
  [ApiKey.Heartbeat, { resources: ['groupId'], other: ['memberId', 'groupInstanceId'] }],
  [
    ApiKey.LeaveGroup,
    {
      resources: ['groupId'],
      other: ['memberId', 'members[].memberId', 'members[].groupInstanceId', 'members[].reason'],
    },
  ],
  [
    ApiKey.SyncGroup,
    {
      resources: ['groupId'],
      other: ['memberId', 'groupInstanceId', 'protocolType', 'protocolName', 'assignments[].memberId'],
    },
  ],
  [ApiKey.DescribeGroups, { resources: ['groups[]'] }],
  [ApiKey.ListGroups, { other: ['statesFilter[]', 'typesFilter[]'] }],
  [
    ApiKey.CreateTopics,
    {
      resources: ['topics[].name'],
      other: ['topics[].assignments[].brokerIds[]', 'topics[].configs[].name', 'topics[].configs[].value'],
    },
  ],
  [ApiKey.DeleteTopics, { resources: ['topics[].name', 'topics[].topicId', 'topicNames[]'] }],
  [ApiKey.DeleteRecords, { resources: ['topics[].name'] }],
  [ApiKey.InitProducerId, { resources: ['transactionalId'], other: ['producerId'] }],
  [ApiKey.OffsetForLeaderEpoch, { resources: ['topics[].topic'], other: ['replicaId'] }],
  [
    ApiKey.AddPartitionsToTxn,
    {
      resources: ['v3AndBelowTransactionalId', 'v3AndBelowTopics[].name'],
      // v4+ (batched, transaction verification) are the brokers': CLUSTER_ACTION.
      clusterScoped: ['transactions[].transactionalId', 'transactions[].topics[].name'],
      other: ['transactions[].producerId', 'v3AndBelowProducerId'],
    },
  ],
  [ApiKey.AddOffsetsToTxn, { resources: ['transactionalId', 'groupId'], other: ['producerId'] }],
  [ApiKey.EndTxn, { resources: ['transactionalId'], other: ['producerId'] }],
  [ApiKey.WriteTxnMarkers, { clusterScoped: ['markers[].topics[].name'], other: ['markers[].producerId'] }],
  [
    ApiKey.TxnOffsetCommit,
    {
      resources: ['transactionalId', 'groupId', 'topics[].name'],
      other: ['producerId', 'memberId', 'groupInstanceId', 'topics[].partitions[].committedMetadata'],
    },
  ],
  [
    ApiKey.DescribeConfigs,
    { resources: ['resources[].resourceName'], other: ['resources[].configurationKeys[]'] },
  ],
  [
    ApiKey.AlterConfigs,
    {
      resources: ['resources[].resourceName'],
      other: ['resources[].configs[].name', 'resources[].configs[].value'],
    },
  ],
  [ApiKey.AlterReplicaLogDirs, { clusterScoped: ['dirs[].topics[].name'], other: ['dirs[].path'] }],
  [ApiKey.DescribeLogDirs, { clusterScoped: ['topics[].topic'] }],
  [ApiKey.CreatePartitions, { resources: ['topics[].name'], other: ['topics[].assignments[].brokerIds[]'] }],
  [
    ApiKey.CreateDelegationToken,
    {
      other: [
        'ownerPrincipalType',
        'ownerPrincipalName',
        'renewers[].principalType',
        'renewers[].principalName',
      ],
    },
  ],
  [ApiKey.RenewDelegationToken, {}],
  [ApiKey.ExpireDelegationToken, {}],
  [ApiKey.DescribeDelegationToken, { other: ['owners[].principalType', 'owners[].principalName'] }],
  [ApiKey.DeleteGroups, { resources: ['groupsNames[]'] }],
  [ApiKey.ElectLeaders, { clusterScoped: ['topicPartitions[].topic'] }],
  [
    ApiKey.IncrementalAlterConfigs,
    {
      resources: ['resources[].resourceName'],
      other: ['resources[].configs[].name', 'resources[].configs[].value'],
    },
  ],
  [
    ApiKey.AlterPartitionReassignments,
    { clusterScoped: ['topics[].name'], other: ['topics[].partitions[].replicas[]'] },
  ],
  [ApiKey.ListPartitionReassignments, { clusterScoped: ['topics[].name'] }],
  [ApiKey.OffsetDelete, { resources: ['groupId', 'topics[].name'] }],
  [ApiKey.DescribeClientQuotas, { other: ['components[].entityType', 'components[].match'] }],
  [
    ApiKey.AlterClientQuotas,
    { other: ['entries[].entity[].entityType', 'entries[].entity[].entityName', 'entries[].ops[].key'] },
  ],
  [ApiKey.DescribeQuorum, { clusterScoped: ['topics[].topicName'] }],
  [ApiKey.UpdateFeatures, { other: ['featureUpdates[].feature'] }],
  [ApiKey.DescribeCluster, {}],
  [ApiKey.DescribeProducers, { resources: ['topics[].name'] }],
  [ApiKey.UnregisterBroker, { other: ['brokerId'] }],
  [ApiKey.DescribeTransactions, { resources: ['transactionalIds[]'] }],
  [
    ApiKey.ListTransactions,
    { selectors: ['transactionalIdPattern'], other: ['stateFilters[]', 'producerIdFilters[]'] },
  ],
  [
    ApiKey.ConsumerGroupHeartbeat,
    {
      resources: ['groupId', 'subscribedTopicNames[]'],
      selectors: ['subscribedTopicRegex'],
      other: ['memberId', 'instanceId', 'rackId', 'serverAssignor', 'topicPartitions[].topicId'],
    },
  ],
  [ApiKey.ConsumerGroupDescribe, { resources: ['groupIds[]'] }],
  [ApiKey.GetTelemetrySubscriptions, { other: ['clientInstanceId'] }],
  [ApiKey.PushTelemetry, { other: ['clientInstanceId'] }],
  [ApiKey.ListConfigResources, {}],
  [ApiKey.DescribeTopicPartitions, { resources: ['topics[].name'], selectors: ['cursor.topicName'] }],
  [
    ApiKey.ShareGroupHeartbeat,
    { resources: ['groupId', 'subscribedTopicNames[]'], other: ['memberId', 'rackId'] },
  ],
  [ApiKey.ShareGroupDescribe, { resources: ['groupIds[]'] }],
  [
    ApiKey.ShareFetch,
    {
      resources: ['groupId', 'topics[].topicId'],
      selectors: ['forgottenTopicsData[].topicId'],
      other: ['memberId'],
    },
  ],
  [ApiKey.ShareAcknowledge, { resources: ['groupId', 'topics[].topicId'], other: ['memberId'] }],
  [ApiKey.AddRaftVoter, { other: ['clusterId', 'voterDirectoryId', 'listeners[].name', 'listeners[].host'] }],
  [ApiKey.RemoveRaftVoter, { other: ['clusterId', 'voterDirectoryId'] }],
  [ApiKey.InitializeShareGroupState, { clusterScoped: ['topics[].topicId', 'groupId'] }],
  [ApiKey.ReadShareGroupState, { clusterScoped: ['topics[].topicId', 'groupId'] }],
  [ApiKey.WriteShareGroupState, { clusterScoped: ['topics[].topicId', 'groupId'] }],
  [ApiKey.DeleteShareGroupState, { clusterScoped: ['topics[].topicId', 'groupId'] }],
  [ApiKey.ReadShareGroupStateSummary, { clusterScoped: ['topics[].topicId', 'groupId'] }],
  [
    ApiKey.StreamsGroupHeartbeat,
    {
      resources: [
        'groupId',
        'topology.subtopologies[].sourceTopics[]',
        'topology.subtopologies[].stateChangelogTopics[].name',
        'topology.subtopologies[].repartitionSinkTopics[]',
        'topology.subtopologies[].repartitionSourceTopics[].name',
      ],
      selectors: ['topology.subtopologies[].sourceTopicRegex[]'],
      other: [
        'memberId',
        'instanceId',
        'rackId',
        'topology.subtopologies[].subtopologyId',
        'topology.subtopologies[].stateChangelogTopics[].topicConfigs[].key',
        'topology.subtopologies[].stateChangelogTopics[].topicConfigs[].value',
        'topology.subtopologies[].repartitionSourceTopics[].topicConfigs[].key',
        'topology.subtopologies[].repartitionSourceTopics[].topicConfigs[].value',
        'activeTasks[].subtopologyId',
        'standbyTasks[].subtopologyId',
        'warmupTasks[].subtopologyId',
        'processId',
        'userEndpoint.host',
        'clientTags[].key',
        'clientTags[].value',
        'taskOffsets[].subtopologyId',
        'taskEndOffsets[].subtopologyId',
      ],
    },
  ],
  [ApiKey.StreamsGroupDescribe, { resources: ['groupIds[]'] }],
  [ApiKey.DescribeShareGroupOffsets, { resources: ['groups[].groupId', 'groups[].topics[].topicName'] }],
  [ApiKey.AlterShareGroupOffsets, { resources: ['groupId', 'topics[].topicName'] }],
  [ApiKey.DeleteShareGroupOffsets, { resources: ['groupId', 'topics[].topicName'] }],
]);
