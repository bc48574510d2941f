/**
 * Fast reading of a GetRevisionIdList answer, which can hold 100,000+ UpdateIdentity entries
 * (3 MB for 24,509 on a lab WSUS). Building an object tree for that is slow, so the list is cut
 * out and scanned with one sticky pattern; what is left (the envelope, the anchor and an empty
 * NewRevisions) is a small document the ordinary parser validates. Whenever the list is not in the
 * plain shape Windows writes (prefixes, attributes, comments, odd numbers), this gives up and the
 * caller parses the whole document the ordinary way, so the fast path never changes a result.
 */
import type { RevisionKey } from '../../model/update.js';

const OPEN = '<NewRevisions>';
const CLOSE = '</NewRevisions>';
const ITEM =
  /[ \t\r\n]*<UpdateIdentity>[ \t\r\n]*<UpdateID>([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})<\/UpdateID>[ \t\r\n]*<RevisionNumber>(\d{1,10})<\/RevisionNumber>[ \t\r\n]*<\/UpdateIdentity>/y;
const WHITESPACE = /^[ \t\r\n]*$/;
const INT_MAX = 2147483647;

export interface SplitRevisionList {
  /** The document with the list replaced by an empty `<NewRevisions/>`. */
  skeleton: string;
  revisions: RevisionKey[];
}

/** Splits the list out of the answer, or returns undefined when the fast path does not apply. */
export function splitRevisionList(xml: string): SplitRevisionList | undefined {
  const start = xml.indexOf(OPEN);
  const end = start === -1 ? -1 : xml.indexOf(CLOSE, start);
  // The name must occur exactly twice, as this open and close tag: then the skeleton's only
  // NewRevisions is the placeholder, and where it sits is checked by the ordinary parser.
  if (end === -1 || xml.indexOf('NewRevisions') !== start + 1) return undefined;
  const second = xml.indexOf('NewRevisions', start + OPEN.length);
  if (second !== end + 2 || xml.indexOf('NewRevisions', second + 1) !== -1) return undefined;

  const revisions: RevisionKey[] = [];
  let position = start + OPEN.length;
  for (;;) {
    ITEM.lastIndex = position;
    const match = ITEM.exec(xml);
    if (match === null || ITEM.lastIndex > end) break;
    const revisionNumber = Number(match[2]);
    if (revisionNumber > INT_MAX) return undefined;
    const id = match[1]!;
    revisions.push({ updateId: /[A-F]/.test(id) ? id.toLowerCase() : id, revisionNumber });
    position = ITEM.lastIndex;
  }
  if (!WHITESPACE.test(xml.slice(position, end))) return undefined;
  return { skeleton: `${xml.slice(0, start)}<NewRevisions/>${xml.slice(end + CLOSE.length)}`, revisions };
}
