/**
 * One checkpoint from the two translations a source partition can need in active-active (issue #13):
 * through the offset syncs (records written on the source, which this flow copied to the target) and
 * through the copies of the target's own records (CopyIndex). Never a guess that could skip records:
 *
 *  - no copies of the target's records: the sync translation alone (the ordinary MM2 case);
 *  - copies, and the sync translation is "at the head" (no record this flow copied comes after it on
 *    the target): the copies' translation. Past that offset the target holds only its own records,
 *    and the copies say which of those the group read; the source's unread records are not on the
 *    target yet and will land at its end;
 *  - copies, and the sync translation is exact otherwise: the lower of the two. When the partition holds
 *    records of both origins, one offset cannot be exact for both (on the target, the records the
 *    mirror copied sit after the target's own records of the same time, by the replication delay):
 *    the lower re-reads the other origin's records between the two, and skips none;
 *  - copies, and no sync or the group is ahead of the mirror: the copies' translation. Records of the
 *    source the mirror copies later land at the target's end, after it: re-read perhaps, never skipped;
 *  - copies, and the group is behind the kept sync history: nothing (where its unread source records
 *    landed on the target is not known);
 *  - the copies' index does not cover the group's offset: nothing this round.
 */
import type { CopyTranslation } from './copy-index.js';
import type { Translation } from '../../mm2/sync-history.js';

export function translateBothOrigins(sync: Translation, copies: CopyTranslation): Translation {
  if (copies.kind === 'none') return sync;
  if (copies.kind === 'unknown') return { kind: 'none' };
  if (sync.kind === 'exact') return sync.atHead !== true && sync.offset <= copies.offset ? sync : copies;
  if (sync.kind === 'behind') return sync;
  return copies;
}
