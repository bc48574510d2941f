/**
 * Keys (in the site database's meta table) of what the end-of-sync checks last covered, so the
 * next sync looks only at what was stored since: missing relations, the selection, supersedence.
 */
export const checkKeys = {
  relations: 'relations_checked_seq',
  selection: 'selection_checked',
  supersedence: 'supersedence_checked',
} as const;
