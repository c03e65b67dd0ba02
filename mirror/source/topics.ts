/**
 * Which source topics a flow replicates and how their target twins are kept in line: creation with
 * the source's partition count and filtered configuration, partition increases, config changes and
 * topic ACLs, all by MirrorSourceConnector's rules.
 */
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { kafkajsErrorCode } from '../../client/kafkajs/error-code.js';
import kafkajs, { type AclEntry, type Admin, type IResourceConfigEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { FlowConfig } from '../config/config.js';
import { includedAndNotExcluded } from '../../mm2/filters.js';
import { isCycle, type ReplicationPolicy } from '../../mm2/replication-policy.js';
import { createTopicsWithLeaders } from '../../client/kafkajs/create-topics.js';

// kafkajs is CommonJS: its enums are only reachable through the default export under ESM.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, ResourcePatternTypes } =
  kafkajs;

/** MirrorSourceConnector.shouldReplicateTopic. */
export function shouldReplicateTopic(flow: FlowConfig, policy: ReplicationPolicy, topic: string): boolean {
  const selected =
    includedAndNotExcluded(flow.topics, flow.topicsExclude, topic) ||
    (flow.heartbeatsReplication && policy.isHeartbeatsTopic(topic));
  return selected && !policy.isInternalTopic(topic) && !isCycle(policy, flow.target, topic);
}

/** Topic configuration entries that travel with a topic (DefaultConfigPropertyFilter + non-default only). */
export function replicableConfig(
  flow: FlowConfig,
  entries: {
    configName: string;
    configValue: string | null;
    isDefault: boolean;
    readOnly: boolean;
    isSensitive: boolean;
    configSource?: number;
  }[],
): IResourceConfigEntry[] {
  return (
    entries
      .filter((e) => !e.isDefault && !e.readOnly && !e.isSensitive && e.configValue !== null)
      // configSource 1 = DYNAMIC_TOPIC_CONFIG: set on the topic itself, not inherited from the broker.
      .filter((e) => e.configSource === undefined || e.configSource === 1)
      .filter((e) => !flow.configPropertiesExclude.matches(e.configName))
      .map((e) => ({ name: e.configName, value: e.configValue! }))
      .sort((a, b) => a.name.localeCompare(b.name))
  );
}

/**
 * A target topic's own settings that a config sync must keep: set on the topic itself
 * (DYNAMIC_TOPIC_CONFIG) and excluded from replication by config.properties.exclude.
 */
export function targetOwnConfig(
  flow: FlowConfig,
  entries: Parameters<typeof replicableConfig>[1],
): IResourceConfigEntry[] {
  return entries
    .filter((e) => e.configSource === 1 && !e.readOnly && !e.isSensitive && e.configValue !== null)
    .filter((e) => flow.configPropertiesExclude.matches(e.configName))
    .map((e) => ({ name: e.configName, value: e.configValue! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * MirrorSourceConnector's ACL rules: LITERAL topic ACLs only; ALLOW WRITE is not replicated (only the
 * mirror writes to a remote topic); ALLOW ALL becomes ALLOW READ; everything else as is.
 */
export function targetAcl(acl: AclEntry, targetTopic: string): AclEntry | undefined {
  if (acl.permissionType === AclPermissionTypes.ALLOW && acl.operation === AclOperationTypes.WRITE)
    return undefined;
  const operation =
    acl.permissionType === AclPermissionTypes.ALLOW && acl.operation === AclOperationTypes.ALL
      ? AclOperationTypes.READ
      : acl.operation;
  return {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: targetTopic,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: acl.principal,
    host: acl.host,
    operation,
    permissionType: acl.permissionType,
  };
}

export async function ensureCompactedTopic(
  admin: Admin,
  topic: string,
  replicationFactor: number,
): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await createTopicsWithLeaders(admin, [
      {
        topic,
        numPartitions: 1,
        replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ]);
  } catch (err) {
    if (kafkajsErrorCode(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) throw err;
  }
}

export interface ReplicatedTopic {
  source: string;
  target: string;
  partitions: number;
}

export class TopicSync {
  private aclsUnsupported = false;
  private readonly createdAcls = new Set<string>();

  constructor(
    private readonly flow: FlowConfig,
    private readonly policy: ReplicationPolicy,
    private readonly sourceAdmin: Admin,
    private readonly targetAdmin: Admin,
    private readonly log: Logger,
  ) {}

  targetTopic(sourceTopic: string): string {
    return this.policy.formatRemoteTopic(this.flow.source, sourceTopic);
  }

  /** Lists the source topics to replicate and makes sure each has a big-enough target twin. */
  async refresh(syncNewConfigs = true): Promise<ReplicatedTopic[]> {
    const names = (await this.sourceAdmin.listTopics()).filter((t) =>
      shouldReplicateTopic(this.flow, this.policy, t),
    );
    if (names.length === 0) return [];
    const meta = await this.sourceAdmin.fetchTopicMetadata({ topics: names });
    const topics = meta.topics.map((t) => ({
      source: t.name,
      target: this.targetTopic(t.name),
      partitions: t.partitions.length,
    }));
    const targetExisting = new Set(await this.targetAdmin.listTopics());
    const missing = topics.filter((t) => !targetExisting.has(t.target));
    if (missing.length > 0) {
      const configs =
        syncNewConfigs && this.flow.syncTopicConfigs
          ? await this.sourceConfigs(missing.map((t) => t.source))
          : new Map();
      for (const t of missing) {
        try {
          await createTopicsWithLeaders(this.targetAdmin, [
            {
              topic: t.target,
              numPartitions: t.partitions,
              replicationFactor: this.flow.replicationFactor,
              configEntries: configs.get(t.source) ?? [],
            },
          ]);
          this.log.info(
            { flow: this.flow.name, topic: t.target, partitions: t.partitions },
            'created target topic',
          );
        } catch (err) {
          if (kafkajsErrorCode(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) throw err;
        }
      }
    }
    const existing = topics.filter((t) => targetExisting.has(t.target));
    if (existing.length > 0) {
      const targetMeta = await this.targetAdmin.fetchTopicMetadata({ topics: existing.map((t) => t.target) });
      const counts = new Map(targetMeta.topics.map((t) => [t.name, t.partitions.length]));
      const grow = existing.filter((t) => (counts.get(t.target) ?? 0) < t.partitions);
      if (grow.length > 0) {
        await this.targetAdmin.createPartitions({
          validateOnly: false,
          topicPartitions: grow.map((t) => ({ topic: t.target, count: t.partitions })),
        });
        for (const t of grow)
          this.log.info(
            { flow: this.flow.name, topic: t.target, partitions: t.partitions },
            'added target partitions',
          );
      }
    }
    return topics;
  }

  private async sourceConfigs(topics: string[]): Promise<Map<string, IResourceConfigEntry[]>> {
    const out = new Map<string, IResourceConfigEntry[]>();
    if (topics.length === 0) return out;
    const described = await this.sourceAdmin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const r of described.resources) {
      out.set(
        r.resourceName,
        replicableConfig(this.flow, r.configEntries as Parameters<typeof replicableConfig>[1]),
      );
    }
    return out;
  }

  /**
   * Makes each target topic's replicable config equal to the source's filtered one when they differ:
   * properties set or changed on the source are set, properties the source no longer sets are
   * removed. Properties excluded by config.properties.exclude are the target's own and keep their
   * target values (as MM2's incremental mode). kafkajs has no IncrementalAlterConfigs, and
   * AlterConfigs replaces a topic's whole dynamic config, so the excluded ones are sent back as they are.
   */
  async syncConfigs(topics: ReplicatedTopic[]): Promise<void> {
    if (topics.length === 0) return;
    const source = await this.sourceConfigs(topics.map((t) => t.source));
    const target = await this.targetAdmin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.target })),
    });
    const targetNow = new Map(
      target.resources.map((r) => [
        r.resourceName,
        replicableConfig(this.flow, r.configEntries as Parameters<typeof replicableConfig>[1]),
      ]),
    );
    const targetOwn = new Map(
      target.resources.map((r) => [
        r.resourceName,
        targetOwnConfig(this.flow, r.configEntries as Parameters<typeof replicableConfig>[1]),
      ]),
    );
    const changes = topics.filter(
      (t) => JSON.stringify(source.get(t.source) ?? []) !== JSON.stringify(targetNow.get(t.target) ?? []),
    );
    if (changes.length === 0) return;
    await this.targetAdmin.alterConfigs({
      validateOnly: false,
      resources: changes.map((t) => ({
        type: ConfigResourceTypes.TOPIC,
        name: t.target,
        configEntries: [...(source.get(t.source) ?? []), ...(targetOwn.get(t.target) ?? [])],
      })),
    });
    for (const t of changes) this.log.info({ flow: this.flow.name, topic: t.target }, 'synced topic config');
  }

  /** Copies LITERAL topic ACLs of replicated topics by MM2's rules; never deletes. */
  async syncAcls(topics: ReplicatedTopic[]): Promise<void> {
    if (this.aclsUnsupported || topics.length === 0) return;
    let described;
    try {
      described = await this.sourceAdmin.describeAcls({
        resourceType: AclResourceTypes.TOPIC,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
    } catch (err) {
      if (this.turnOffAclSync(err, 'the source cluster has no authorizer or denies DescribeAcls')) return;
      throw err;
    }
    const byName = new Map(topics.map((t) => [t.source, t.target]));
    const acls: AclEntry[] = [];
    for (const r of described.resources) {
      const target = byName.get(r.resourceName);
      if (target === undefined) continue;
      for (const a of r.acls) {
        const acl = targetAcl(
          {
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            resourcePatternType: r.resourcePatternType,
            principal: a.principal,
            host: a.host,
            operation: a.operation,
            permissionType: a.permissionType,
          },
          target,
        );
        if (acl === undefined) continue;
        if (!this.createdAcls.has(JSON.stringify(acl))) acls.push(acl);
      }
    }
    if (acls.length === 0) return;
    try {
      await this.targetAdmin.createAcls({ acl: acls });
    } catch (err) {
      if (this.turnOffAclSync(err, 'the target cluster has no authorizer or denies CreateAcls')) return;
      throw err; // not remembered as created: the next round tries again
    }
    // Remembered only once the target accepted them (CreateAcls of an existing ACL is harmless).
    for (const acl of acls) this.createdAcls.add(JSON.stringify(acl));
    this.log.info({ flow: this.flow.name, count: acls.length }, 'synced topic ACLs');
  }

  /**
   * A cluster without an authorizer (or one that refuses us) turns ACL sync off for the flow with
   * one warning, as MirrorMaker 2 does; true when `err` was such a refusal.
   */
  private turnOffAclSync(err: unknown, why: string): boolean {
    const code = kafkajsErrorCode(err);
    if (code !== ErrorCode.SECURITY_DISABLED && code !== ErrorCode.CLUSTER_AUTHORIZATION_FAILED) return false;
    this.aclsUnsupported = true;
    this.log.warn({ flow: this.flow.name, reason: errorName(code) }, `topic ACL sync off: ${why}`);
    return true;
  }
}
