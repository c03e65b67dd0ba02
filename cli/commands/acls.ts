/**
 * `kgw acls add|list|remove`: Kafka ACLs through the admin API (CreateAcls, DescribeAcls,
 * DeleteAcls), with kafka-acls.sh's options and listing style, against a kgw gateway (which enforces
 * them with Kafka's semantics) or a Kafka cluster with an authorizer. docs/cli.md#kgw-acls.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { AclBinding, AclBindingFilter } from '../../security/acl/index.js';
import { bindingsToAdd, filters, type AclFlags } from '../support/acl-spec.js';
import { CommandFailed, UsageError } from '../support/errors.js';
import { openAdmin, type AdminSession } from '../support/kafka-admin.js';
import { kafkaError, kafkaErrorHint } from '../support/kafka-request.js';
import { addConnectionOptions, resolveSingleTarget, type ConnectionFlags } from '../support/targets.js';
import { aclsJson, groupBindings, renderAclListing, type ResourceAcls } from '../render/acls.js';
import { createOutput } from '../render/output.js';

interface Flags extends AclFlags, ConnectionFlags {
  json?: boolean;
  force?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function aclOptions(cmd: Command, forFilter: boolean): Command {
  return cmd
    .option('--topic <name>', 'topic (repeatable; "*" is every topic)', collect)
    .option('--group <name>', 'consumer group (repeatable)', collect)
    .option('--cluster-resource', "the cluster itself (kafka-acls.sh's --cluster)")
    .option('--transactional-id <id>', 'transactional id (repeatable)', collect)
    .option('--delegation-token <id>', 'delegation token (repeatable)', collect)
    .option('--user-principal <name>', 'user resource, for token ACLs (repeatable)', collect)
    .option(
      '--resource-pattern-type <type>',
      forFilter
        ? 'literal, prefixed, any or match (default literal; any without a resource)'
        : 'literal (default) or prefixed',
    )
    .option('--allow-principal <principal>', 'User:alice, or just alice (repeatable)', collect)
    .option('--deny-principal <principal>', 'User:mallory, or just mallory (repeatable)', collect)
    .option('--allow-host <host>', 'host the allowed principals connect from (default *)', collect)
    .option('--deny-host <host>', 'host the denied principals connect from (default *)', collect)
    .option(
      '--operation <operation>',
      'read, write, create, delete, alter, describe, ..., all (repeatable)',
      collect,
    )
    .option('--json', 'print JSON instead of the listing');
}

export function registerAclsCommand(program: Command): void {
  const acls = program
    .command('acls')
    .description("Kafka ACLs through the admin API, in kafka-acls.sh's style");
  addConnectionOptions(
    aclOptions(
      acls.command('add').description('add ACLs (allow or deny principals operations on resources)'),
      false,
    )
      .option('--producer', 'the ACLs a producer needs on --topic (WRITE, DESCRIBE, CREATE)')
      .option('--consumer', 'the ACLs a consumer needs on --topic and --group (READ, DESCRIBE; group READ)'),
  ).action(async (flags: Flags) => addAcls(flags));
  addConnectionOptions(
    aclOptions(
      acls.command('list').description('list ACLs (all, or those of the named resources)'),
      true,
    ).option('--principal <principal>', 'only ACLs of this principal (repeatable)', collect),
  ).action(async (flags: Flags) => listAcls(flags));
  addConnectionOptions(
    aclOptions(
      acls.command('remove').description('remove ACLs of a resource (all of them unless narrowed)'),
      true,
    ).option('--force', 'do not ask for confirmation (required when not at a terminal)'),
  ).action(async (flags: Flags) => removeAcls(flags));
}

async function withAdmin<T>(flags: Flags, fn: (admin: AdminSession) => Promise<T>): Promise<T> {
  const admin = await openAdmin(resolveSingleTarget(flags));
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

async function describe(admin: AdminSession, f: AclBindingFilter): Promise<ResourceAcls[]> {
  const c = admin.connection;
  const r = await c.request(ApiKey.DescribeAcls, c.version(ApiKey.DescribeAcls, 1, 3), {
    resourceTypeFilter: f.resourceType,
    resourceNameFilter: f.resourceName,
    patternTypeFilter: f.patternType,
    principalFilter: f.principal,
    hostFilter: f.host,
    operation: f.operation,
    permissionType: f.permissionType,
  });
  if (r.errorCode !== ErrorCode.NONE)
    throw new CommandFailed(
      `listing ACLs failed: ${kafkaError(r.errorCode, r.errorMessage)}.${kafkaErrorHint(r.errorCode)}`,
    );
  return r.resources.map((x) => ({
    resourceType: x.resourceType,
    resourceName: x.resourceName,
    patternType: x.patternType,
    acls: x.acls.map((a) => ({
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  }));
}

/** Every ACL matching any of the filters, merged per resource, each ACL once. */
async function describeAll(admin: AdminSession, fs: AclBindingFilter[]): Promise<ResourceAcls[]> {
  const seen = new Map<string, AclBinding>();
  for (const f of fs)
    for (const r of await describe(admin, f))
      for (const a of r.acls) {
        const b: AclBinding = {
          resourceType: r.resourceType as AclBinding['resourceType'],
          resourceName: r.resourceName,
          patternType: r.patternType as AclBinding['patternType'],
          principal: a.principal,
          host: a.host,
          operation: a.operation as AclBinding['operation'],
          permissionType: a.permissionType as AclBinding['permissionType'],
        };
        seen.set(JSON.stringify(b), b);
      }
  return groupBindings([...seen.values()]);
}

async function addAcls(flags: Flags): Promise<void> {
  const out = createOutput(flags);
  const bindings = bindingsToAdd(flags);
  const current = await withAdmin(flags, async (admin) => {
    const c = admin.connection;
    const r = await c.request(ApiKey.CreateAcls, c.version(ApiKey.CreateAcls, 1, 3), {
      creations: bindings.map((b) => ({
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        resourcePatternType: b.patternType,
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      })),
    });
    const failed = r.results
      .map((x, i) => ({ ...x, binding: bindings[i]! }))
      .filter((x) => x.errorCode !== ErrorCode.NONE);
    if (failed.length > 0)
      throw new CommandFailed(
        failed
          .map(
            (x) =>
              `could not add ${JSON.stringify(x.binding)}: ${kafkaError(x.errorCode, x.errorMessage)}.${kafkaErrorHint(x.errorCode)}`,
          )
          .join('\n'),
      );
    // As kafka-acls.sh does after adding: the resulting ACLs of each resource touched.
    const touched = groupBindings(bindings).map((g) => ({
      resourceType: g.resourceType as AclBindingFilter['resourceType'],
      resourceName: g.resourceName,
      patternType: g.patternType as AclBindingFilter['patternType'],
      principal: null,
      host: null,
      operation: 1 as AclBindingFilter['operation'],
      permissionType: 1 as AclBindingFilter['permissionType'],
    }));
    return describeAll(admin, touched);
  });
  if (out.json) out.printJson({ added: aclsJson(groupBindings(bindings)), current: aclsJson(current) });
  else
    out.print(
      `${renderAclListing(groupBindings(bindings), 'Adding ACLs for resource')}\n${renderAclListing(current)}`,
    );
}

async function listAcls(flags: Flags): Promise<void> {
  const out = createOutput(flags);
  const listed = await withAdmin(flags, (admin) =>
    describeAll(admin, filters(flags, { requireResource: false })),
  );
  if (out.json) out.printJson({ resources: aclsJson(listed) });
  else out.print(listed.length === 0 ? 'No ACLs match.' : renderAclListing(listed));
}

async function removeAcls(flags: Flags): Promise<void> {
  const out = createOutput(flags);
  const fs = filters(flags, { requireResource: true });
  const target = resolveSingleTarget(flags);
  const admin = await openAdmin(target);
  try {
    const matching = await describeAll(admin, fs);
    if (matching.length === 0) {
      if (out.json) out.printJson({ removed: [] });
      else out.print('No ACLs match; nothing removed.');
      return;
    }
    if (!flags.force) {
      if (!process.stdin.isTTY)
        throw new UsageError('not at a terminal: add --force to remove ACLs without confirmation');
      process.stderr.write(renderAclListing(matching, 'Removing ACLs for resource'));
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Remove these ACLs from ${target.name}? (y/n) `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw new CommandFailed('not confirmed; nothing removed');
    }
    const c = admin.connection;
    const r = await c.request(ApiKey.DeleteAcls, c.version(ApiKey.DeleteAcls, 1, 3), {
      filters: fs.map((f) => ({
        resourceTypeFilter: f.resourceType,
        resourceNameFilter: f.resourceName,
        patternTypeFilter: f.patternType,
        principalFilter: f.principal,
        hostFilter: f.host,
        operation: f.operation,
        permissionType: f.permissionType,
      })),
    });
    const problems = r.filterResults.flatMap((x) => [
      ...(x.errorCode !== ErrorCode.NONE
        ? [kafkaError(x.errorCode, x.errorMessage) + kafkaErrorHint(x.errorCode)]
        : []),
      ...x.matchingAcls
        .filter((m) => m.errorCode !== ErrorCode.NONE)
        .map((m) => kafkaError(m.errorCode, m.errorMessage)),
    ]);
    if (problems.length > 0) throw new CommandFailed(`removing ACLs failed: ${problems.join('; ')}`);
    const removed = groupBindings(
      r.filterResults.flatMap((x) =>
        x.matchingAcls.map((m) => ({
          resourceType: m.resourceType as AclBinding['resourceType'],
          resourceName: m.resourceName,
          patternType: m.patternType as AclBinding['patternType'],
          principal: m.principal,
          host: m.host,
          operation: m.operation as AclBinding['operation'],
          permissionType: m.permissionType as AclBinding['permissionType'],
        })),
      ),
    );
    if (out.json) out.printJson({ removed: aclsJson(removed) });
    else out.print(renderAclListing(removed, 'Removed ACLs for resource'));
  } finally {
    admin.close();
  }
}
