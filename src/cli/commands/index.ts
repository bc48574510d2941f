/**
 * Handlers by command id: the compiler holds the map to exactly one handler per spec command, each
 * to its arguments. Each handler's module is imported when its command runs, not when the host
 * starts: the handlers together load most of the host's libraries (HTTP client and server, HTML
 * parser, mail, metrics), and every cmdlet call, Tab completion and scheduled task starts a host that
 * runs one command. `--version` and `--help` load none.
 */
import type { CommandId } from '../command-args.js';
import type { CommandHandler } from '../context.js';

/** A handler whose module is loaded on its first run. */
function onDemand<Id extends CommandId>(load: () => Promise<CommandHandler<Id>>): CommandHandler<Id> {
  return async (context) => (await load())(context);
}

/** One handler per command of the spec, each typed to its command's arguments (the compiler checks both). */
export const handlers: { [Id in CommandId]: CommandHandler<Id> } = {
  'site.add': onDemand(async () => (await import('./site.js')).siteAdd),
  'site.list': onDemand(async () => (await import('./site.js')).siteList),
  'site.remove': onDemand(async () => (await import('./site.js')).siteRemove),
  'sup.get': onDemand(async () => (await import('./sup.js')).supGet),
  'sup.set': onDemand(async () => (await import('./sup.js')).supSet),
  status: onDemand(async () => (await import('./status.js')).status),
  sync: onDemand(async () => (await import('./sync.js')).sync),
  'sync.history': onDemand(async () => (await import('./sync-history.js')).syncHistory),
  'update.list': onDemand(async () => (await import('./updates.js')).updateList),
  'category.list': onDemand(async () => (await import('./updates.js')).categoryList),
  'corpus.generate': onDemand(async () => (await import('./metadata.js')).corpusGenerate),
  'metadata.import': onDemand(async () => (await import('./metadata.js')).metadataImport),
  'metadata.export': onDemand(async () => (await import('./metadata.js')).metadataExport),
  serve: onDemand(async () => (await import('./serve.js')).serve),
  'upstream.test': onDemand(async () => (await import('./upstream.js')).upstreamTest),
  'upstream.get-update': onDemand(async () => (await import('./upstream.js')).upstreamGetUpdate),
  'schedule.new': onDemand(async () => (await import('./schedule.js')).scheduleNew),
  'schedule.next': onDemand(async () => (await import('./schedule.js')).scheduleNext),
  'schedule.task-xml': onDemand(async () => (await import('./schedule.js')).scheduleTaskXml),
  'schedule.systemd': onDemand(async () => (await import('./schedule.js')).scheduleSystemd),
  'schedule.crontab': onDemand(async () => (await import('./schedule.js')).scheduleCrontab),
  demo: onDemand(async () => (await import('./demo.js')).demo),
  'catalog.import': onDemand(async () => (await import('./catalog.js')).catalogHandlers['catalog.import']),
  service: onDemand(async () => (await import('./service.js')).serviceHandlers.service),
  console: onDemand(async () => (await import('./console.js')).consoleHandlers.console),
  'console.credential': onDemand(async () => (await import('./console.js')).consoleHandlers['console.credential']),
  'alert.list': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.list']),
  'alert.subscribe': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.subscribe']),
  'alert.subscriptions': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.subscriptions']),
  'alert.unsubscribe': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.unsubscribe']),
  'alert.settings': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.settings']),
  'alert.set': onDemand(async () => (await import('./alert.js')).alertHandlers['alert.set']),
  metrics: onDemand(async () => (await import('./metrics.js')).metrics),
};
