// An in-memory ACL authorizer with Kafka's StandardAuthorizer semantics (KRaft,
// org.apache.kafka.metadata.authorizer.StandardAuthorizerData), indexed so a decision never scans
// the whole ACL set:
//   resource type → literal name → principal → ACLs
//   resource type → prefix trie (one node per UTF-16 unit) → principal → ACLs
// A decision costs O(|resource name|) map steps plus the ACLs of the requesting principal and
// "User:*" on the matching patterns.
import { aclFilterMatches, validateAclFilter } from './filter.js';
import { aclKey } from './record.js';
import type { AclBinding, AclBindingFilter } from './types.js';
import {
  AclOperation,
  AclPermissionType,
  PatternType,
  ResourceType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  formatAclBinding,
  operationName,
  resourceTypeName,
  validateNewAcl,
} from './types.js';

export type AuthorizationResult = 'ALLOWED' | 'DENIED';

/** Why a decision came out as it did; mirrors the rule names Kafka's audit log prints. */
export type MatchingRule =
  | { readonly kind: 'SuperUser' }
  | { readonly kind: 'DefaultAllow' } // no ACL on the resource, allow.everyone.if.no.acl.found=true
  | { readonly kind: 'DefaultDeny' } // no ACL on the resource (default), or ACLs exist but none allow
  | { readonly kind: 'MatchingAcl'; readonly acl: AclBinding };

export interface AuthorizationDecision {
  readonly result: AuthorizationResult;
  readonly rule: MatchingRule;
}

export interface AuthorizeRequest {
  /** "User:alice" (KafkaPrincipal.toString()). */
  readonly principal: string;
  /** Client address in Java's format: see javaHostAddress(). */
  readonly host: string;
  readonly resourceType: ResourceType;
  /** The literal resource name being accessed (Kafka only authorizes LITERAL actions). */
  readonly resourceName: string;
  readonly operation: AclOperation;
}

export interface AuthorizerConfig {
  /** Principals allowed everything, e.g. ["User:admin"] (Kafka's super.users, split on ";"). */
  readonly superUsers?: Iterable<string>;
  /** Kafka's allow.everyone.if.no.acl.found; default false. */
  readonly allowEveryoneIfNoAclFound?: boolean;
}

/** Parse Kafka's super.users config value ("User:a;User:b"). */
export function parseSuperUsers(value: string): string[] {
  return value
    .split(';')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

interface Bucket {
  /** ACLs on this exact pattern, any principal: drives the "no ACL found" rule. */
  count: number;
  readonly byPrincipal: Map<string, AclBinding[]>;
}

interface TrieNode {
  readonly children: Map<number, TrieNode>;
  bucket: Bucket | undefined;
}

interface TypeIndex {
  readonly literal: Map<string, Bucket>;
  readonly prefixRoot: TrieNode;
  /** principal → ACLs of this resource type: used by authorizeAny (authorizeByResourceType). */
  readonly byPrincipal: Map<string, Set<AclBinding>>;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

const newBucket = (): Bucket => ({ count: 0, byPrincipal: new Map() });
const newNode = (): TrieNode => ({ children: new Map(), bucket: undefined });

/**
 * Kafka's StandardAuthorizerData.findResult for one ACL whose pattern already matches the resource:
 * undefined when the ACL does not apply to this principal/host/operation.
 */
function aclResult(acl: AclBinding, host: string, op: AclOperation): AuthorizationResult | undefined {
  if (acl.host !== WILDCARD_HOST && acl.host !== host) return undefined;
  if (acl.operation !== AclOperation.ALL) {
    if (acl.permissionType === AclPermissionType.ALLOW) {
      // Implications apply to ALLOW only: DENY READ does not deny DESCRIBE.
      if (op === AclOperation.DESCRIBE) {
        if (!IMPLIES_DESCRIBE.has(acl.operation)) return undefined;
      } else if (op === AclOperation.DESCRIBE_CONFIGS) {
        if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return undefined;
      } else if (op !== acl.operation) return undefined;
    } else if (op !== acl.operation) return undefined;
  }
  return acl.permissionType === AclPermissionType.ALLOW ? 'ALLOWED' : 'DENIED';
}

class RuleBuilder {
  deny: AclBinding | undefined;
  allow: AclBinding | undefined;
  hasResourceAcls = false;

  /** Returns true once a DENY is found (nothing later can change the outcome). */
  visit(bucket: Bucket | undefined, principal: string, host: string, op: AclOperation): boolean {
    if (bucket === undefined || bucket.count === 0) return false;
    this.hasResourceAcls = true;
    if (this.scan(bucket.byPrincipal.get(principal), host, op)) return true;
    if (principal !== WILDCARD_PRINCIPAL)
      return this.scan(bucket.byPrincipal.get(WILDCARD_PRINCIPAL), host, op);
    return false;
  }

  private scan(acls: AclBinding[] | undefined, host: string, op: AclOperation): boolean {
    if (acls === undefined) return false;
    for (const acl of acls) {
      const r = aclResult(acl, host, op);
      if (r === 'DENIED') {
        this.deny = acl;
        return true;
      }
      if (r === 'ALLOWED') this.allow ??= acl;
    }
    return false;
  }
}

export class AclAuthorizer {
  private readonly byType = new Map<number, TypeIndex>();
  private readonly byKey = new Map<string, AclBinding>();
  private superUsers: ReadonlySet<string>;
  private defaultRule: MatchingRule;

  constructor(config: AuthorizerConfig = {}) {
    this.superUsers = new Set(config.superUsers ?? []);
    this.defaultRule = { kind: config.allowEveryoneIfNoAclFound === true ? 'DefaultAllow' : 'DefaultDeny' };
  }

  configure(config: AuthorizerConfig): void {
    this.superUsers = new Set(config.superUsers ?? []);
    this.defaultRule = { kind: config.allowEveryoneIfNoAclFound === true ? 'DefaultAllow' : 'DefaultDeny' };
  }

  /** Number of distinct ACLs held. */
  get size(): number {
    return this.byKey.size;
  }

  /**
   * Adds an ACL after Kafka's CreateAcls validation (throws InvalidAclError). Identical bindings are
   * stored once, as Kafka does. Returns the record key and whether it was new.
   */
  addAcl(binding: AclBinding): { key: string; added: boolean } {
    validateNewAcl(binding);
    const key = aclKey(binding);
    if (this.byKey.has(key)) return { key, added: false };
    const acl: AclBinding = Object.freeze({ ...binding });
    this.byKey.set(key, acl);
    const idx = this.typeIndex(acl.resourceType, true);
    const bucket = this.bucketFor(idx, acl, true);
    bucket.count++;
    let list = bucket.byPrincipal.get(acl.principal);
    if (list === undefined) bucket.byPrincipal.set(acl.principal, (list = []));
    list.push(acl);
    let set = idx.byPrincipal.get(acl.principal);
    if (set === undefined) idx.byPrincipal.set(acl.principal, (set = new Set()));
    set.add(acl);
    return { key, added: true };
  }

  /** Removes an ACL by its binding or record key; returns the removed binding, if any. */
  removeAcl(bindingOrKey: AclBinding | string): AclBinding | undefined {
    const key = typeof bindingOrKey === 'string' ? bindingOrKey : aclKey(bindingOrKey);
    const acl = this.byKey.get(key);
    if (acl === undefined) return undefined;
    this.byKey.delete(key);
    const idx = this.typeIndex(acl.resourceType, false);
    if (idx === undefined) return acl;
    const bucket = this.bucketFor(idx, acl, false);
    if (bucket !== undefined) {
      const list = bucket.byPrincipal.get(acl.principal);
      if (list !== undefined) {
        const i = list.indexOf(acl);
        if (i >= 0) {
          list.splice(i, 1);
          bucket.count--;
        }
        if (list.length === 0) bucket.byPrincipal.delete(acl.principal);
      }
      if (bucket.count === 0) this.dropBucket(idx, acl);
    }
    const set = idx.byPrincipal.get(acl.principal);
    set?.delete(acl);
    if (set?.size === 0) idx.byPrincipal.delete(acl.principal);
    return acl;
  }

  /** DescribeAcls: bindings matching the filter (throws InvalidAclError on UNKNOWN fields). */
  acls(filter: AclBindingFilter): AclBinding[] {
    validateAclFilter(filter);
    const out: AclBinding[] = [];
    for (const acl of this.candidates(filter)) if (aclFilterMatches(filter, acl)) out.push(acl);
    return out;
  }

  /** DeleteAcls: removes and returns the bindings matching the filter. */
  deleteAcls(filter: AclBindingFilter): AclBinding[] {
    const matched = this.acls(filter);
    for (const acl of matched) this.removeAcl(acl);
    return matched;
  }

  /** All ACLs (for snapshots). */
  all(): IterableIterator<AclBinding> {
    return this.byKey.values();
  }

  /** Kafka's Authorizer.authorize for a single LITERAL action. */
  authorize(req: AuthorizeRequest): AuthorizationDecision {
    if (this.superUsers.has(req.principal)) return { result: 'ALLOWED', rule: { kind: 'SuperUser' } };
    const rb = new RuleBuilder();
    const idx = this.byType.get(req.resourceType);
    if (idx !== undefined) this.findAclRule(idx, req, rb);
    if (rb.deny !== undefined) return { result: 'DENIED', rule: { kind: 'MatchingAcl', acl: rb.deny } };
    if (rb.allow !== undefined) return { result: 'ALLOWED', rule: { kind: 'MatchingAcl', acl: rb.allow } };
    if (!rb.hasResourceAcls)
      return {
        result: this.defaultRule.kind === 'DefaultAllow' ? 'ALLOWED' : 'DENIED',
        rule: this.defaultRule,
      };
    return { result: 'DENIED', rule: { kind: 'DefaultDeny' } };
  }

  /**
   * Kafka's Authorizer.authorizeByResourceType (the default interface method StandardAuthorizer
   * inherits): is the principal allowed `op` on at least one resource of `resourceType`? Used e.g.
   * for InitProducerId without a transactional id (IDEMPOTENT_WRITE on cluster, else WRITE on any
   * topic) and for CreateTopics/DescribeTopics listings.
   */
  authorizeAny(
    principal: string,
    host: string,
    resourceType: ResourceType,
    op: AclOperation,
  ): AuthorizationResult {
    if (resourceType === ResourceType.ANY)
      throw new RangeError('Must specify a non-filter resource type for authorizeByResourceType');
    if (resourceType === ResourceType.UNKNOWN)
      throw new RangeError('Unknown resource type for authorizeByResourceType');
    if (op === AclOperation.ANY)
      throw new RangeError('Must specify a non-filter operation type for authorizeByResourceType');
    if (op === AclOperation.UNKNOWN)
      throw new RangeError('Unknown operation type for authorizeByResourceType');

    // A hard-coded name first, so super users (and the no-ACL default) win regardless of DENY ACLs.
    const probe = this.authorize({ principal, host, resourceType, resourceName: 'hardcode', operation: op });
    if (probe.result === 'ALLOWED') return 'ALLOWED';

    const idx = this.byType.get(resourceType);
    if (idx === undefined) return 'DENIED';
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral = new Set<string>();
    const allowPrefixed = new Set<string>();
    let wildcardAllow = false;
    const sets = [idx.byPrincipal.get(principal)];
    if (principal !== WILDCARD_PRINCIPAL) sets.push(idx.byPrincipal.get(WILDCARD_PRINCIPAL));
    for (const set of sets) {
      if (set === undefined) continue;
      for (const acl of set) {
        if (acl.host !== host && acl.host !== WILDCARD_HOST) continue;
        if (acl.operation !== op && acl.operation !== AclOperation.ALL) continue;
        if (acl.permissionType === AclPermissionType.DENY) {
          if (acl.patternType === PatternType.LITERAL) {
            if (acl.resourceName === WILDCARD_RESOURCE) return 'DENIED';
            denyLiteral.add(acl.resourceName);
          } else if (acl.patternType === PatternType.PREFIXED) denyPrefixed.add(acl.resourceName);
          continue;
        }
        if (acl.permissionType !== AclPermissionType.ALLOW) continue;
        if (acl.patternType === PatternType.LITERAL) {
          if (acl.resourceName === WILDCARD_RESOURCE) wildcardAllow = true;
          else allowLiteral.add(acl.resourceName);
        } else if (acl.patternType === PatternType.PREFIXED) allowPrefixed.add(acl.resourceName);
      }
    }
    if (wildcardAllow) return 'ALLOWED';
    const dominatedByPrefixDeny = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    for (const name of allowLiteral)
      if (!denyLiteral.has(name) && !dominatedByPrefixDeny(name)) return 'ALLOWED';
    for (const name of allowPrefixed) if (!dominatedByPrefixDeny(name)) return 'ALLOWED';
    return 'DENIED';
  }

  /** Kafka-style audit line for a decision ("Principal = User:alice is Denied operation = READ ..."). */
  static auditMessage(req: AuthorizeRequest, d: AuthorizationDecision): string {
    const rule =
      d.rule.kind === 'MatchingAcl' ? `MatchingAcl(acl=${formatAclBinding(d.rule.acl)})` : d.rule.kind;
    return (
      `Principal = ${req.principal} is ${d.result === 'ALLOWED' ? 'Allowed' : 'Denied'} operation = ` +
      `${operationName(req.operation)} from host = ${req.host} on resource = ` +
      `${resourceTypeName(req.resourceType)}:LITERAL:${req.resourceName} based on rule ${rule}`
    );
  }

  private findAclRule(idx: TypeIndex, req: AuthorizeRequest, rb: RuleBuilder): void {
    const { principal, host, operation: op, resourceName: name } = req;
    if (rb.visit(idx.literal.get(name), principal, host, op)) return;
    let node: TrieNode | undefined = idx.prefixRoot;
    for (let i = 0; i < name.length && node !== undefined; i++) {
      node = node.children.get(name.charCodeAt(i));
      if (node?.bucket !== undefined && rb.visit(node.bucket, principal, host, op)) return;
    }
    if (name !== WILDCARD_RESOURCE) rb.visit(idx.literal.get(WILDCARD_RESOURCE), principal, host, op);
  }

  private typeIndex(type: number, create: true): TypeIndex;
  private typeIndex(type: number, create: false): TypeIndex | undefined;
  private typeIndex(type: number, create: boolean): TypeIndex | undefined {
    let idx = this.byType.get(type);
    if (idx === undefined && create) {
      idx = { literal: new Map(), prefixRoot: newNode(), byPrincipal: new Map() };
      this.byType.set(type, idx);
    }
    return idx;
  }

  private bucketFor(idx: TypeIndex, acl: AclBinding, create: true): Bucket;
  private bucketFor(idx: TypeIndex, acl: AclBinding, create: false): Bucket | undefined;
  private bucketFor(idx: TypeIndex, acl: AclBinding, create: boolean): Bucket | undefined {
    if (acl.patternType === PatternType.LITERAL) {
      let b = idx.literal.get(acl.resourceName);
      if (b === undefined && create) idx.literal.set(acl.resourceName, (b = newBucket()));
      return b;
    }
    let node = idx.prefixRoot;
    for (let i = 0; i < acl.resourceName.length; i++) {
      const c = acl.resourceName.charCodeAt(i);
      let next = node.children.get(c);
      if (next === undefined) {
        if (!create) return undefined;
        node.children.set(c, (next = newNode()));
      }
      node = next;
    }
    if (node.bucket === undefined && create) node.bucket = newBucket();
    return node.bucket;
  }

  private dropBucket(idx: TypeIndex, acl: AclBinding): void {
    if (acl.patternType === PatternType.LITERAL) {
      idx.literal.delete(acl.resourceName);
      return;
    }
    // Remove the bucket, then prune trie nodes that lead nowhere.
    const path: TrieNode[] = [idx.prefixRoot];
    let node = idx.prefixRoot;
    for (let i = 0; i < acl.resourceName.length; i++) {
      const next = node.children.get(acl.resourceName.charCodeAt(i));
      if (next === undefined) return;
      path.push(next);
      node = next;
    }
    node.bucket = undefined;
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i];
      const parent = path[i - 1];
      if (n === undefined || parent === undefined) break;
      if (n.bucket !== undefined || n.children.size > 0) break;
      parent.children.delete(acl.resourceName.charCodeAt(i - 1));
    }
  }

  /** Narrow the ACLs a filter can match before testing each: by type, and by name when literal. */
  private *candidates(f: AclBindingFilter): Generator<AclBinding> {
    if (f.resourceType === ResourceType.ANY) {
      yield* this.byKey.values();
      return;
    }
    const idx = this.byType.get(f.resourceType);
    if (idx === undefined) return;
    if (f.resourceName != null && f.patternType === PatternType.LITERAL) {
      const b = idx.literal.get(f.resourceName);
      if (b !== undefined) for (const l of b.byPrincipal.values()) yield* l;
      return;
    }
    if (f.principal != null) {
      const s = idx.byPrincipal.get(f.principal);
      if (s !== undefined) yield* s;
      return;
    }
    for (const s of idx.byPrincipal.values()) yield* s;
  }
}
