/** Handlers by command id; every spec command has exactly one (checked by a test). */
import type { CommandHandler } from '../context.js';
import { siteAdd, siteList, siteRemove } from './site.js';
import { status } from './status.js';
import { supGet, supSet } from './sup.js';

export const handlers: Record<string, CommandHandler> = {
  'site.add': siteAdd,
  'site.list': siteList,
  'site.remove': siteRemove,
  'sup.get': supGet,
  'sup.set': supSet,
  status,
};
