/** Which revision lists a sync asks for, with which anchors (pure). */
import { expect } from 'chai';
import { defaultSupSettings, type SiteControl } from '../src/model/site.js';
import { categoryLists, updateLists } from '../src/sync/lists.js';

function topLevel(products: string[], classifications: string[]): SiteControl {
  return {
    schemaVersion: 1,
    code: 'CS1',
    role: 'central',
    remoteChildren: [],
    serverName: 'cs1.test',
    createdAt: '2026-01-01T00:00:00Z',
    sup: { ...defaultSupSettings(true), products: products.map((id) => ({ id, title: id })), classifications: classifications.map((id) => ({ id, title: id })) },
  };
}
const ids = (list: { id: string }[] | undefined) => (list ?? []).map((x) => x.id);

describe('revision lists and anchors', () => {
  it('asks categories with their anchor, or without it on a full sync', () => {
    const anchors = [{ key: 'categories', anchor: '5,2026-11-23 10:00:00.000' }];
    expect(categoryLists(anchors, false)[0]!.filter).to.deep.equal({ getConfig: true, anchor: '5,2026-11-23 10:00:00.000' });
    expect(categoryLists(anchors, true)[0]!.filter).to.deep.equal({ getConfig: true });
  });

  it('asks nothing for updates while nothing is selected, everything the parent serves for a child', () => {
    expect(updateLists(topLevel([], ['c1']), [], false)).to.deep.equal([]);
    const child = { ...topLevel([], []), code: 'PS1', role: 'primary' as const, parent: 'CS1' };
    expect(updateLists(child, [{ key: 'updates:all', anchor: 'a' }], false)).to.deep.equal([{ key: 'updates:all', filter: { getConfig: false, anchor: 'a' } }]);
  });

  it('asks the selection as one filter: first without an anchor, then as a delta', () => {
    const site = topLevel(['p2', 'p1'], ['c1']);
    const [first] = updateLists(site, [], false);
    expect(first!.key).to.equal('updates:p=p1,p2;c=c1');
    expect(first!.filter.anchor).to.equal(undefined);
    expect(ids(first!.filter.categories)).to.deep.equal(['p1', 'p2']);
    const again = updateLists(site, [{ key: first!.key, anchor: 'A1' }], false);
    expect(again).to.have.length(1);
    expect(again[0]!.filter).to.deep.include({ anchor: 'A1' });
    expect(again[0]!.filter.categories!.every((c) => c.delta)).to.equal(true);
    expect(updateLists(site, [{ key: first!.key, anchor: 'A1' }], true)[0]!.filter.anchor).to.equal(undefined);
  });

  it('asks added products and classifications without an anchor, the rest as a delta, and replaces the old key', () => {
    const old = { key: 'updates:p=p1,p2;c=c1', anchor: 'A1' };
    const lists = updateLists(topLevel(['p1', 'p3'], ['c1', 'c2']), [old], false);
    expect(lists.map((l) => [ids(l.filter.categories), ids(l.filter.classifications), l.filter.anchor ?? null])).to.deep.equal([
      [['p1'], ['c1'], 'A1'],
      [['p3'], ['c1', 'c2'], null],
      [['p1'], ['c2'], null],
    ]);
    expect(lists.every((l) => l.key === 'updates:p=p1,p3;c=c1,c2' && l.replaces === old.key)).to.equal(true);
  });
});
