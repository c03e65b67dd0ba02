/**
 * Which topics are encrypted, under which KEK, and who reads them decrypted. An exact `name` policy
 * wins over `prefix` policies; among prefixes the longest wins (as Kafka resolves prefixed ACLs to
 * the most specific pattern when naming one).
 */
import type { TopicPolicyConfig } from './config.js';

export interface TopicPolicy {
  readonly kek: string;
  readonly encryptHeaders: boolean;
  /** undefined: every principal allowed to READ the topic gets plaintext. */
  readonly decryptFor: ReadonlySet<string> | undefined;
}

export class EncryptionPolicies {
  private readonly byName = new Map<string, TopicPolicy>();
  private readonly prefixes: { prefix: string; policy: TopicPolicy }[] = [];

  constructor(topics: readonly TopicPolicyConfig[]) {
    for (const t of topics) {
      const policy: TopicPolicy = {
        kek: t.kek,
        encryptHeaders: t.encryptHeaders,
        decryptFor: t.decryptFor ? new Set(t.decryptFor) : undefined,
      };
      if (t.name !== undefined) this.byName.set(t.name, policy);
      else this.prefixes.push({ prefix: t.prefix!, policy });
    }
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  forTopic(topic: string): TopicPolicy | undefined {
    return this.byName.get(topic) ?? this.prefixes.find((p) => topic.startsWith(p.prefix))?.policy;
  }

  /** Does this principal read the topic decrypted (authorization to READ is decided before)? */
  static mayDecrypt(policy: TopicPolicy, principal: string): boolean {
    if (!policy.decryptFor) return true;
    return policy.decryptFor.has(principal) || policy.decryptFor.has(`${principal.split(':')[0]}:*`);
  }
}
