import { expect } from 'chai';
import { type EncodedRevision, EncodedRevisionCache, KeptAnswers } from '../src/server/encoded-revisions.js';

/** An encoded entry of `size` bytes as the cache counts it (its bytes plus 200 of overhead). */
function entry(size: number, changeSeq = 1): EncodedRevision {
  return { entry: Buffer.alloc(size - 200), urls: [], changeSeq, expired: false };
}

const unchanged = () => ({ changeSeq: 1, expired: false });

describe("SUP endpoint's kept entries and answers", () => {
  it('evicts the least recently used entry, not the oldest one read since, and stays within its bytes', () => {
    const cache = new EncodedRevisionCache(3_000);
    cache.set('a', entry(1_000), 'v1');
    cache.set('b', entry(1_000), 'v1');
    cache.set('c', entry(1_000), 'v1');
    expect(cache.get('a', 'v1', unchanged)).to.not.equal(undefined);
    cache.set('d', entry(1_000), 'v1');
    expect(cache.get('b', 'v1', unchanged), 'b was the least recently used').to.equal(undefined);
    for (const key of ['a', 'c', 'd']) expect(cache.get(key, 'v1', unchanged), key).to.not.equal(undefined);
    expect(cache.figures).to.include({ entries: 3, bytes: 3_000, maxBytes: 3_000, hits: 4, misses: 1 });
  });

  it('checks an entry against the site once the data version moved, and drops it when its revision changed', () => {
    const cache = new EncodedRevisionCache(10_000);
    cache.set('a', entry(1_000, 7), 'v1');
    cache.set('b', entry(1_000, 7), 'v1');
    let asked = 0;
    const still7 = () => (asked++, { changeSeq: 7, expired: false });
    expect(cache.get('a', 'v1', still7)).to.not.equal(undefined);
    expect(asked, 'same data version: not checked').to.equal(0);
    expect(cache.get('a', 'v2', still7)).to.not.equal(undefined);
    expect(cache.get('a', 'v2', still7)).to.not.equal(undefined);
    expect(asked, 'checked once, then stamped with the new version').to.equal(1);
    expect(cache.get('b', 'v2', () => ({ changeSeq: 8, expired: false }))).to.equal(undefined);
    expect(cache.get('b', 'v2', still7), 'a stale entry is dropped').to.equal(undefined);
    expect(cache.figures).to.include({ entries: 1, bytes: 1_000, stale: 1 });
  });

  it('keeps nothing with a bound of 0, nor an entry larger than its bound, and keeps what it had then', () => {
    const none = new EncodedRevisionCache(0);
    none.set('a', entry(300), 'v1');
    expect(none.get('a', 'v1', unchanged)).to.equal(undefined);
    expect(none.figures).to.include({ entries: 0, bytes: 0 });

    const small = new EncodedRevisionCache(1_000);
    small.set('a', entry(800), 'v1');
    small.set('a', entry(1_200), 'v1');
    expect(small.get('a', 'v1', unchanged)?.entry.length).to.equal(600);
  });

  it('keeps whole answers by key within its bytes (value and key), least recently used out', () => {
    const kept = new KeptAnswers<Buffer>(2 * (1_000 + 2), (answer) => answer.length);
    kept.set('x', Buffer.alloc(1_000));
    kept.set('y', Buffer.alloc(1_000));
    expect(kept.get('x')?.length).to.equal(1_000);
    kept.set('z', Buffer.alloc(1_000));
    expect(kept.get('y')).to.equal(undefined);
    expect(kept.get('z')?.length).to.equal(1_000);
    expect(kept.figures).to.include({ answers: 2, bytes: 2_004, hits: 2, misses: 1 });

    const nothing = new KeptAnswers<Buffer>(0, (answer) => answer.length);
    nothing.set('x', Buffer.alloc(1));
    expect(nothing.get('x')).to.equal(undefined);
  });
});
