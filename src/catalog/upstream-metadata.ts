/**
 * An imported update's metadata from the site's upstream over [MS-WSUSSS]: its revision, its
 * document (GetUpdateData), and the documents of the bundled updates and prerequisites it needs
 * that the site does not have yet, children before parents.
 *
 * The revision comes from the upstream's unfiltered revision list when the upstream is a WSUS or
 * SUP (which lists every live update it holds). Microsoft Update's unfiltered list is the whole
 * catalogue, so there — and wherever listing fails — the revision is found by probing downward as
 * Microsoft's import does: GetUpdateData for one revision after another from `probe.from` down,
 * `probe.parallel` at a time, at most `probe.limit` in all. An unknown revision is a fault
 * (InternalServerError), so probes cannot share a request.
 */
import { SoapFaultError, UpstreamError } from '../errors.js';
import type { RevisionKey, UpdateMetadata } from '../model/update.js';
import type { UpstreamClient } from '../protocol/client.js';

export interface ProbePolicy {
  /** The first revision tried. */
  from: number;
  /** Revisions tried at most, per update. */
  limit: number;
  /** GetUpdateData probes in flight per update. */
  parallel: number;
}

/** Microsoft Update's revisions are mostly in the low hundreds; 300 downward covers them in 30 round trips. */
export const defaultProbe: ProbePolicy = { from: 300, limit: 300, parallel: 10 };

/** Bundles and prerequisites nest; a chain longer than this is refused rather than followed. */
const maxRelatedDepth = 16;
const maxRelatedDocuments = 500;

export interface UpstreamMetadataOptions {
  /** Ask the unfiltered revision list first (false for Microsoft Update). */
  useRevisionList: boolean;
  probe?: ProbePolicy;
  /** Summary-detail languages kept from each document. */
  languages?: string[];
  /** Whether the site already holds this update or category (at this revision or newer, when given). */
  isStored: (updateId: string, revisionNumber?: number) => boolean;
}

export class UpstreamMetadata {
  readonly #client: UpstreamClient;
  readonly #options: UpstreamMetadataOptions & { probe: ProbePolicy };
  #listing: Promise<Map<string, number> | undefined> | undefined;
  /** Why the revision list could not be used, once it failed. */
  listProblem: string | undefined;
  probes = 0;

  constructor(client: UpstreamClient, options: UpstreamMetadataOptions) {
    this.#client = client;
    this.#options = { probe: defaultProbe, ...options };
  }

  /**
   * The update's document at the newest revision the upstream has, or undefined when the
   * upstream does not have it.
   */
  async document(updateId: string, knownRevision?: number): Promise<UpdateMetadata | undefined> {
    const listed = knownRevision ?? (await this.#listed(updateId));
    if (listed !== undefined) return this.#fetch({ updateId, revisionNumber: listed });
    // A SUP's list holds every live update it has: what it does not list, it cannot give.
    if (this.#options.useRevisionList && this.listProblem === undefined) return undefined;
    return this.#probe(updateId);
  }

  /**
   * The documents `root` needs that the site lacks: its bundled updates and one member of each
   * unmet prerequisite group, recursively, each after the documents it needs in turn.
   */
  async related(root: UpdateMetadata): Promise<UpdateMetadata[]> {
    const ordered: UpdateMetadata[] = [];
    const seen = new Set<string>([root.updateId]);
    const visit = async (update: UpdateMetadata, depth: number): Promise<void> => {
      if (depth > maxRelatedDepth || ordered.length > maxRelatedDocuments) {
        throw new UpstreamError('ImportRelationsTooDeep', `update ${root.updateId} needs more than ${maxRelatedDocuments} related updates or nests deeper than ${maxRelatedDepth}; refused`, {
          target: root.updateId,
          category: 'LimitsExceeded',
        });
      }
      for (const child of update.bundledUpdates) {
        if (seen.has(child.updateId) || this.#options.isStored(child.updateId, child.revisionNumber)) continue;
        seen.add(child.updateId);
        const document = await this.document(child.updateId, child.revisionNumber);
        if (!document) {
          throw new UpstreamError('BundledUpdateMissing', `bundled update ${child.updateId} of update ${update.updateId} is not available from the upstream`, {
            target: update.updateId,
            category: 'ObjectNotFound',
          });
        }
        await visit(document, depth + 1);
        ordered.push(document);
      }
      for (const group of update.prerequisites) {
        if (group.some((id) => seen.has(id) || this.#options.isStored(id))) continue;
        let found: UpdateMetadata | undefined;
        for (const id of group) {
          found = await this.document(id);
          if (found) break;
        }
        if (!found) {
          throw new UpstreamError('PrerequisiteMissing', `prerequisite ${group.join(' or ')} of update ${update.updateId} is not available from the upstream`, {
            target: update.updateId,
            category: 'ObjectNotFound',
          });
        }
        seen.add(found.updateId);
        await visit(found, depth + 1);
        ordered.push(found);
      }
    };
    await visit(root, 0);
    return ordered;
  }

  async #fetch(key: RevisionKey): Promise<UpdateMetadata | undefined> {
    try {
      const { updates } = await this.#client.getUpdateData([key], this.#options.languages);
      return updates.find((u) => u.updateId === key.updateId);
    } catch (error) {
      if (isUnknownRevision(error)) return undefined;
      throw error;
    }
  }

  /** The revision the upstream lists for an update or category, from its lists read once. */
  async #listed(updateId: string): Promise<number | undefined> {
    if (!this.#options.useRevisionList) return undefined;
    this.#listing ??= this.#readLists();
    return (await this.#listing)?.get(updateId);
  }

  async #readLists(): Promise<Map<string, number> | undefined> {
    try {
      const [categories, updates] = [await this.#client.getRevisionIdList({ getConfig: true }), await this.#client.getRevisionIdList({ getConfig: false })];
      return new Map([...categories.newRevisions, ...updates.newRevisions].map((r) => [r.updateId, r.revisionNumber]));
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.listProblem = error.message;
      return undefined;
    }
  }

  /** Probes downward; within a window the highest revision found wins. */
  async #probe(updateId: string): Promise<UpdateMetadata | undefined> {
    const { from, limit, parallel } = this.#options.probe;
    const lowest = Math.max(0, from - limit + 1);
    for (let top = from; top >= lowest; top -= parallel) {
      const window: number[] = [];
      for (let revision = top; revision > top - parallel && revision >= lowest; revision--) window.push(revision);
      this.probes += window.length;
      const found = await Promise.all(window.map((revisionNumber) => this.#fetch({ updateId, revisionNumber })));
      const hit = found.find((document) => document !== undefined);
      if (hit) return hit;
    }
    return undefined;
  }
}

/** Windows answers GetUpdateData for a revision it does not have with InternalServerError. */
function isUnknownRevision(error: unknown): boolean {
  return error instanceof SoapFaultError && error.faultCode === 'InternalServerError';
}
