/** Handlers by command id: the compiler holds the map to exactly one handler per spec command, each to its arguments. */
import type { CommandId } from '../command-args.js';
import type { CommandHandler } from '../context.js';
import { alertHandlers } from './alert.js';
import { metrics } from './metrics.js';
import { catalogHandlers } from './catalog.js';
import { consoleHandlers } from './console.js';
import { demo } from './demo.js';
import { corpusGenerate, metadataExport, metadataImport } from './metadata.js';
import { scheduleCrontab, scheduleNew, scheduleNext, scheduleSystemd, scheduleTaskXml } from './schedule.js';
import { serve } from './serve.js';
import { serviceHandlers } from './service.js';
import { siteAdd, siteList, siteRemove } from './site.js';
import { status } from './status.js';
import { supGet, supSet } from './sup.js';
import { sync, syncHistory } from './sync.js';
import { categoryList, updateList } from './updates.js';
import { upstreamGetUpdate, upstreamTest } from './upstream.js';

/** One handler per command of the spec, each typed to its command's arguments (the compiler checks both). */
export const handlers: { [Id in CommandId]: CommandHandler<Id> } = {
  'site.add': siteAdd,
  'site.list': siteList,
  'site.remove': siteRemove,
  'sup.get': supGet,
  'sup.set': supSet,
  status,
  sync,
  'sync.history': syncHistory,
  'update.list': updateList,
  'category.list': categoryList,
  'corpus.generate': corpusGenerate,
  'metadata.import': metadataImport,
  'metadata.export': metadataExport,
  serve,
  'upstream.test': upstreamTest,
  'upstream.get-update': upstreamGetUpdate,
  'schedule.new': scheduleNew,
  'schedule.next': scheduleNext,
  'schedule.task-xml': scheduleTaskXml,
  'schedule.systemd': scheduleSystemd,
  'schedule.crontab': scheduleCrontab,
  demo,
  ...catalogHandlers,
  ...serviceHandlers,
  ...consoleHandlers,
  ...alertHandlers,
  metrics,
};
