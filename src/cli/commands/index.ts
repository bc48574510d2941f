/** Handlers by command id; every spec command has exactly one (checked by a test). */
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

export const handlers: Record<string, CommandHandler> = {
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
