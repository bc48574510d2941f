/** `corpus generate`, `metadata import`, `metadata export`. */
import path from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { generateCorpus } from '../../dev/corpus.js';
import { exportPackage } from '../../package/export.js';
import { writePackage } from '../../package/file.js';
import { normalizeSiteCode } from '../../model/site.js';
import { importPackage } from '../../sync/import-package.js';
import { type CommandHandler, stringArg } from '../context.js';
import { syncResultRecord } from './sync.js';

export const corpusGenerate: CommandHandler<'corpus.generate'> = async ({ args, emit }) => {
  const updates = Number(args.updates);
  if (!Number.isInteger(updates) || updates < 1 || updates > 2_000_000) {
    throw new InvalidArgumentError('InvalidArgument', `--updates must be a whole number from 1 to 2000000, got ${args.updates}`, { target: '--updates' });
  }
  const generation = args.generation === undefined ? 1 : Number(args.generation);
  if (!Number.isInteger(generation) || generation < 1 || generation > 100) {
    throw new InvalidArgumentError('InvalidArgument', `--generation must be a whole number from 1 to 100, got ${args.generation}`, { target: '--generation' });
  }
  const seed = stringArg(args, 'seed') ?? 'supsync';
  const out = path.resolve(String(args.out));
  const started = Date.now();
  const result = await writePackage(
    out,
    { serverId: `corpus:${seed}`, creationTime: new Date().toISOString(), formatVersion: '1.0', protocolVersion: '1.20', languages: ['en'], description: `supsync corpus, ${updates} updates, seed ${seed}, generation ${generation}` },
    generateCorpus({ updates, seed, generation }),
    '--out',
  );
  emit({ type: 'SupSync.Package', Path: out, Records: result.count, Bytes: result.bytes, Seed: seed, Generation: generation, Seconds: (Date.now() - started) / 1000 });
};

export const metadataImport: CommandHandler<'metadata.import'> = async ({ home, args, emit, note, logFormat, signal }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  home.site(code);
  const file = path.resolve(String(args.path));
  if (args.whatIf) {
    note(`What if: would import the metadata package ${file} into ${code} (all or nothing)`);
    return;
  }
  emit(syncResultRecord(await importPackage(home, code, file, { logFormat, signal })));
};

export const metadataExport: CommandHandler<'metadata.export'> = async ({ home, args, emit }) => {
  const code = normalizeSiteCode(String(args.site), '--site');
  const file = path.resolve(String(args.path));
  const result = await exportPackage(home, code, file);
  emit({ type: 'SupSync.Package', SiteCode: code, Path: file, Records: result.count, Bytes: result.bytes });
};
