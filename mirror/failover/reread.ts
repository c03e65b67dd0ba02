/**
 * Counting, record by record from a partition's planned offset on the target, the records a group
 * would read again after failover: pure, fed by measure.ts's scan.
 *
 * A record at or after the planned offset is a re-read when the group already read it on the source:
 *  - a copy from the source (origin = source, same topic and partition) whose origin offset is below
 *    the group's position on the source;
 *  - a record written on the target itself that the source held as a copy the group read: those are
 *    exactly the target's records below `copiesResumeAt` (where the unread copies resume).
 * Copies keep their order, so once a source copy at or after the group's position is seen and the
 * scan has passed `copiesResumeAt`, no later record can be a re-read and the count is final.
 */
import type { Origin } from './origin.js';
import type { ReReadCount } from './plan.js';

export interface ReReadRule {
  source: string;
  target: string;
  /** Topic and partition of the copies' originals on the source. */
  sourceTopic: string;
  partition: number;
  /** The group's position on the source (committed, or as of the checkpoint). */
  sourceOffset?: bigint;
  /** Target records below this offset were read on the source as copies; undefined: see below. */
  copiesResumeAt?: bigint;
  /**
   * Without `copiesResumeAt`: when the source was reachable it held no copies of the target's records
   * (none were read there); when it was not, nothing is known about them (counted as unknown).
   */
  sourceReachable: boolean;
}

export class ReReadCounter {
  private count = 0;
  private unknownLocal = 0;
  private sawUnreadCopy = false;
  private passedCopies: boolean;

  constructor(private readonly rule: ReReadRule) {
    this.passedCopies = rule.copiesResumeAt === undefined;
  }

  /** One record at `offset` (in offset order); returns true once no later record can change the count. */
  add(offset: bigint, origin: Origin | undefined): boolean {
    const r = this.rule;
    if (origin !== undefined && origin.cluster === r.source) {
      if (origin.topic === r.sourceTopic && origin.partition === r.partition) {
        if (r.sourceOffset !== undefined && origin.offset < r.sourceOffset) this.count++;
        else this.sawUnreadCopy = true;
      }
    } else if (origin === undefined || origin.cluster === r.target) {
      if (r.copiesResumeAt !== undefined) {
        if (offset < r.copiesResumeAt) this.count++;
      } else if (!r.sourceReachable) this.unknownLocal++;
    }
    if (r.copiesResumeAt !== undefined && offset + 1n >= r.copiesResumeAt) this.passedCopies = true;
    return this.done;
  }

  get done(): boolean {
    return (this.sawUnreadCopy || this.rule.sourceOffset === undefined) && this.passedCopies;
  }

  result(complete: boolean): ReReadCount {
    return { count: this.count, complete: complete || this.done, unknownLocal: this.unknownLocal };
  }
}
