/**
 * Bundles the host's entry points with esbuild (run by `npm run build`, after tsc has type-checked
 * and emitted everything): dist/src/cli/main.js (the product), dist/src/dev/main.js (development)
 * and dist/src/protocol/parse-worker.js (the parse worker's thread) are written over tsc's output,
 * the modules they share in dist/src/chunks/. Every cmdlet call, Tab completion, child sync and
 * scheduled task starts a host that runs one command; loaded as tsc's ~45 files of our own plus
 * yargs and lowdb as ~40 more, the ESM loader's resolving and linking was a sixth of a start's CPU.
 * A command's handler stays a chunk of its own, loaded when the command runs (cli/commands/index.ts).
 *
 * What is bundled: our modules, the pure-ESM packages every start loads (yargs, lowdb and what they
 * import), better-sqlite3's JavaScript (its native addon stays in node_modules, found by
 * store/sqlite.ts), and the logger and HTTP client every sync, import and service loads (winston and
 * got with their dependencies, CommonJS and ESM): loaded from node_modules as ~100 files, resolving,
 * reading and compiling them cost a sync process ~0.1 s of CPU. Every other package stays external,
 * loaded from node_modules as before, only in the commands that use them. tsc's other files stay in
 * dist/ for the scripts (benchmarks, generators).
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository, whether this runs from dist/scripts (the build) or from scripts (tsx). */
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const srcDir = path.join(root, 'src');

/**
 * Packages bundled with their own dependencies; an import of any other package from our code stays
 * external. A bundled package must not find files from its own location (__dirname, require.resolve)
 * unless a patch below points it at its installed copy.
 */
const bundledPackages = new Set(['yargs', 'lowdb', 'winston', 'winston-transport', 'got', 'better-sqlite3']);

/** A change to one file of a bundled package: the build fails if the file no longer has `from`. */
interface Patch {
  file: RegExp;
  from: string;
  to: string;
}

const patches: Patch[] = [
  // yargs finds its locale files and the program's package.json (`--version`) from its platform
  // shim's own location. Bundled, that location would be dist/src/chunks; the shim is told where
  // the installed yargs package is instead, so both are found where they were.
  {
    file: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/,
    from: 'const __dirname = fileURLToPath(import.meta.url);',
    to: "const __dirname = join(dirname(createRequire(import.meta.url).resolve('yargs/package.json')), 'lib', 'platform-shims', 'esm.mjs');",
  },
  // After a command's yargs handler, yargs renders the command's whole help text and keeps it, to
  // show it should the handler fail later. The host's yargs handlers only note which command was
  // parsed and its failures go to its own fail handler (cli/run.ts), so the text was never shown;
  // rendering it cost every host start about 0.03 s of CPU.
  {
    file: /[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/,
    from: 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();',
    to: '',
  },
];

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * better-sqlite3's addon finder, which locates the addon from its caller's file (a stack trace): in
 * a bundle that file is a chunk, so it stays external, never called, as store/sqlite.ts names the addon.
 */
const unbundledDependencies = new Set(['bindings']);

const externalPackages: Plugin = {
  name: 'external-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return undefined;
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return unbundledDependencies.has(args.path) ? { path: args.path, external: true } : undefined;
      return bundledPackages.has(packageName(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

const patchedPackages: Plugin = {
  name: 'package-patches',
  setup(bundler) {
    for (const patch of patches) {
      bundler.onLoad({ filter: patch.file }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        if (!source.includes(patch.from)) throw new Error(`${args.path} no longer has "${patch.from}": check this package before bundling it (scripts/bundle-hosts.ts)`);
        return { contents: source.replace(patch.from, patch.to), loader: 'js' };
      });
    }
  },
};

/**
 * Packages that yargs imports at start-up but calls only to lay out help and usage text. Their
 * module-level set-up (an Intl.Segmenter, Unicode property regular expressions, width tables) was
 * about a tenth of every start's CPU; each is bundled behind its default export, a function that
 * loads the package on its first call.
 */
const onFirstCall = new Set(['cliui', 'string-width']);

const loadedOnFirstCall: Plugin = {
  name: 'loaded-on-first-call',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      // bundler.resolve runs this callback again: the package itself, marked, resolves as usual.
      if (!onFirstCall.has(args.path) || args.pluginData === 'resolve the package') return undefined;
      const real = await bundler.resolve(args.path, { resolveDir: args.resolveDir, kind: 'import-statement', importer: args.importer, pluginData: 'resolve the package' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'on-first-call' };
    });
    // esbuild turns a require() of a bundled ES module into a call that evaluates it then.
    bundler.onLoad({ filter: /.*/, namespace: 'on-first-call' }, (args) => ({
      contents: `let loaded;\nexport default function onFirstCall(...args) {\n  loaded ??= require(${JSON.stringify(args.path)}).default;\n  return loaded(...args);\n}\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * http2-wrapper, which got imports for its `http2` option (supsync never sets it), loads node:http2
 * and opens a TLS socket as it loads: ~10 ms of CPU of every process that makes a request. It is
 * bundled behind a stand-in for its exports that loads it on first use (a property read, a call or
 * a `new`), so got behaves as before.
 */
const loadedOnFirstUse: Plugin = {
  name: 'loaded-on-first-use',
  setup(bundler) {
    bundler.onResolve({ filter: /^http2-wrapper$/ }, async (args) => {
      if (!/[\\/]node_modules[\\/]got[\\/]/.test(args.importer) || args.pluginData === 'resolve the package') return undefined;
      const real = await bundler.resolve(args.path, { resolveDir: args.resolveDir, kind: 'import-statement', importer: args.importer, pluginData: 'resolve the package' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'on-first-use' };
    });
    // A CommonJS module: what require() gives is what an import's default was.
    bundler.onLoad({ filter: /.*/, namespace: 'on-first-use' }, (args) => ({
      contents: [
        'let loaded;',
        `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
        'export default new Proxy(function firstUse() {}, {',
        '  get: (_, key) => Reflect.get(load(), key),',
        '  apply: (_, self, args) => Reflect.apply(load(), self, args),',
        '  construct: (_, args) => Reflect.construct(load(), args),',
        '});',
      ].join('\n'),
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * yargs checks its own state with node:assert's strictEqual and notStrictEqual on every start, and
 * loading node:assert cost a start ~2 ms of CPU. Its import in yargs's platform shim is answered
 * by these two, which pass exactly when node:assert's pass and hand a failing check to node:assert
 * itself, so a failure throws the very error it threw before.
 */
const assertOnFailure: Plugin = {
  name: 'assert-on-failure',
  setup(bundler) {
    bundler.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(args.importer) ? { path: 'assert', namespace: 'assert-on-failure' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'assert-on-failure' }, () => ({
      contents: [
        "const assert = () => process.getBuiltinModule('node:assert');",
        'export function strictEqual(actual, expected, message) {',
        '  if (!Object.is(actual, expected)) assert().strictEqual(actual, expected, message);',
        '}',
        'export function notStrictEqual(actual, expected, message) {',
        '  if (Object.is(actual, expected)) assert().notStrictEqual(actual, expected, message);',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * Our modules find files from their own location (the parse worker's entry, the console's templates,
 * the main.js a child sync or a schedule runs). Bundled, a module's code lands in an entry or a chunk,
 * all one folder below dist/src (the entries' folders and chunks/), so each module's `import.meta.url`
 * is rewritten to the URL its tsc output has, and all of them find what they found before.
 */
const ownLocation: Plugin = {
  name: 'own-location',
  setup(bundler) {
    bundler.onLoad({ filter: /\.ts$/ }, async (args) => {
      const relative = path.relative(srcDir, args.path);
      if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      const compiled = `../${relative.split(path.sep).join('/').replace(/\.ts$/, '.js')}`;
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const outdir = path.join(root, 'dist', 'src');
// Chunks are named by content hash: the previous build's would stay behind.
fs.rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/dev/main.ts', 'src/protocol/parse-worker.ts'],
  outbase: 'src',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  legalComments: 'inline',
  // Bundled CommonJS code requires Node.js's built-in modules at run time (esbuild leaves those
  // require calls as they are), and an ES module has no `require`: each file gets one.
  banner: {
    js: [
      '// Generated by npm run build (scripts/bundle-hosts.ts): a host entry point or a chunk of them. Do not edit.',
      "import { createRequire as bundledRequireFor } from 'node:module';",
      'const require = bundledRequireFor(import.meta.url);',
    ].join('\n'),
  },
  plugins: [loadedOnFirstCall, loadedOnFirstUse, assertOnFailure, externalPackages, patchedPackages, ownLocation],
  logLevel: 'warning',
});
console.log('bundle-hosts: wrote dist/src/cli/main.js, dist/src/dev/main.js, dist/src/protocol/parse-worker.js and dist/src/chunks/');
