/**
 * The sites' completion caches (`<site>/completion.json`, read by the PowerShell module's
 * completer without starting Node.js): written when a site is created, gone while a writer holds
 * the site, written again from the database when it lets go, so never older than the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Home } from '../src/store/home.js';
import { completionCacheFile } from '../src/store/completion-cache.js';
import { tryOpenSiteWrite } from '../src/sync/site-write.js';
import { tempDir } from './helpers/cli.js';
import { runCommandLine } from './helpers/in-process.js';

interface CompletionCache {
  SiteCode: string;
  Role: string;
  TopLevel: boolean;
  Products: { Title: string; Id: string }[];
  Classifications: { Title: string; Id: string }[];
}

describe('completion cache', () => {
  it('is written with the site, is gone while a writer holds the site, and holds the products a metadata import added', async () => {
    const root = tempDir('supsync-completion-');
    const home = new Home(root);
    expect((await runCommandLine(root, ['site', 'add', '--code=CS1', '--role=central'])).code).to.equal(0);
    expect((await runCommandLine(root, ['site', 'add', '--code=PS1', '--role=primary', '--parent=CS1'])).code).to.equal(0);
    const file = completionCacheFile(home.sitePaths('CS1').dir);
    const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as CompletionCache;
    expect(read()).to.deep.equal({ SiteCode: 'CS1', Role: 'central', TopLevel: true, Products: [], Classifications: [] });
    const child = JSON.parse(fs.readFileSync(completionCacheFile(home.sitePaths('PS1').dir), 'utf8')) as CompletionCache;
    expect([child.SiteCode, child.Role, child.TopLevel]).to.deep.equal(['PS1', 'primary', false]);

    const write = tryOpenSiteWrite(home, 'CS1', 'sync');
    if (!('release' in write)) throw new Error(`CS1 is held by ${JSON.stringify(write.holder)}`);
    expect(fs.existsSync(file), 'a writer holds the site: no cache to go stale').to.equal(false);
    write.release();
    expect(read().SiteCode).to.equal('CS1');

    const corpus = path.join(root, 'corpus.pkg.gz');
    expect((await runCommandLine(root, ['corpus', 'generate', '--updates=40', '--seed=completion', `--out=${corpus}`])).code).to.equal(0);
    expect((await runCommandLine(root, ['sup', 'set', '--site=CS1', '--sync-source=none'])).code).to.equal(0);
    expect((await runCommandLine(root, ['metadata', 'import', '--site=CS1', `--path=${corpus}`])).code).to.equal(0);
    const listed = (await runCommandLine(root, ['category', 'list', '--site=CS1'])).records;
    const of = (type: string) => listed.filter((r) => r.CategoryType === type).map((r) => `${String(r.Title)} ${String(r.Id)}`).sort();
    const cache = read();
    expect(of('Product').length).to.be.greaterThan(0);
    expect(cache.Products.map((p) => `${p.Title} ${p.Id}`).sort()).to.deep.equal(of('Product'));
    expect(cache.Classifications.map((c) => `${c.Title} ${c.Id}`).sort()).to.deep.equal(of('UpdateClassification'));
  });
});
