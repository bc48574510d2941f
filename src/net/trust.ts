/**
 * What an outgoing HTTPS connection of a sync trusts: Node's bundled roots, the operating system's
 * roots, and the site's own CA bundle (`sup set --ca-file`). Microsoft Update's chain ends at
 * "Microsoft Root Certificate Authority 2011", which Node's bundled roots lack and Windows carries.
 *
 * Node 20 has no tls.getCACertificates('system') (nor --use-system-ca, Node 22.15+). On Linux and
 * macOS the system bundle is read from the files the distributions keep it in; on Windows the
 * machine's Trusted Root store is exported once per process through Windows PowerShell (.NET's
 * X509Store), which every Windows has.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import tls from 'node:tls';
import { UpstreamError } from '../errors.js';
import { readCaBundle } from './http.js';

/** Where Linux distributions and macOS keep the system's PEM bundle (first readable wins). */
export const systemBundlePaths = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // RHEL 7+
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, OpenBSD, Alpine
];

let systemBundle: { path: string; pem: string } | null | undefined;

/** Exports the machine's Trusted Root Certification Authorities store as PEM (a fixed script: nothing of the caller's goes into it). */
const machineStoreScript =
  "$store = New-Object System.Security.Cryptography.X509Certificates.X509Store('Root', 'LocalMachine'); $store.Open('ReadOnly'); " +
  "foreach ($c in $store.Certificates) { '-----BEGIN CERTIFICATE-----'; [Convert]::ToBase64String($c.RawData, 'InsertLineBreaks'); '-----END CERTIFICATE-----' }; $store.Close()";

/**
 * The machine's root store as PEM, read through PowerShell (Windows PowerShell on Windows; on
 * Linux, pwsh's .NET reads the OpenSSL store the same way); null when it cannot be read.
 */
export function readMachineStore(shell = process.platform === 'win32' ? 'powershell.exe' : 'pwsh'): string | null {
  const run = spawnSync(shell, ['-NoProfile', '-NonInteractive', '-Command', machineStoreScript], { encoding: 'utf8', timeout: 60_000, windowsHide: true, maxBuffer: 64 * 1024 * 1024 });
  return run.status === 0 && run.stdout.includes('-----BEGIN CERTIFICATE-----') ? run.stdout : null;
}

/**
 * The operating system's roots, read once: the first bundle file found, else (Windows) the machine
 * store; null when there is neither. SSL_CERT_FILE, OpenSSL's own variable, names another file.
 */
export function readSystemBundle(paths: readonly string[] = systemBundlePaths): { path: string; pem: string } | null {
  if (paths === systemBundlePaths && process.env.SSL_CERT_FILE) paths = [process.env.SSL_CERT_FILE, ...systemBundlePaths];
  else if (paths === systemBundlePaths && systemBundle !== undefined) return systemBundle;
  let found: { path: string; pem: string } | null = null;
  for (const file of paths) {
    try {
      const pem = fs.readFileSync(file, 'utf8');
      if (pem.includes('-----BEGIN CERTIFICATE-----')) {
        found = { path: file, pem };
        break;
      }
    } catch {
      // not this one
    }
  }
  if (!found && process.platform === 'win32' && paths === systemBundlePaths) {
    const pem = readMachineStore();
    if (pem) found = { path: 'the Windows machine store (Trusted Root Certification Authorities)', pem };
  }
  if (!process.env.SSL_CERT_FILE) systemBundle = found;
  return found;
}

/** The CA list for an HTTPS request: Node's roots, the system bundle, then the site's CA file. */
export function trustedCertificates(caFile?: string, flag = '--ca-file'): string[] {
  const list = [...tls.rootCertificates];
  const system = readSystemBundle();
  if (system) list.push(system.pem);
  if (caFile) list.push(readCaBundle(caFile, flag).toString('utf8'));
  return list;
}

/** OpenSSL verification codes that mean "the chain ends at a certificate nobody here trusts". */
const untrustedCodes = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export function isUntrustedChainError(code: string | undefined): boolean {
  return code !== undefined && untrustedCodes.has(code);
}

export interface ChainEnd {
  /** Subject of the last certificate the server sent. */
  subject: string;
  /** Its issuer: the root the machine would need to trust. */
  issuer: string;
  sha256: string;
}

function name(subject: tls.Certificate | undefined): string {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return first(subject?.CN) ?? first(subject?.O) ?? '(unnamed)';
}

/**
 * Connects once more without verification to see the chain a server presents, and names its
 * last certificate and that one's issuer; undefined when that cannot be learnt.
 */
export function inspectChain(url: string, timeoutMs = 10_000): Promise<ChainEnd | undefined> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: target.hostname, port: Number(target.port || 443), servername: target.hostname, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      while (cert?.issuerCertificate && cert.issuerCertificate !== cert && cert.issuerCertificate.fingerprint256 !== cert.fingerprint256) cert = cert.issuerCertificate;
      socket.end();
      resolve(cert && cert.subject ? { subject: name(cert.subject), issuer: name(cert.issuer), sha256: cert.fingerprint256 } : undefined);
    });
    socket.on('error', () => resolve(undefined));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** The error for a chain this machine does not trust: which certificate, and what to do about it. */
export async function untrustedChainError(url: string, code: string, cause: unknown, viaProxy: boolean): Promise<UpstreamError> {
  const end = viaProxy ? undefined : await inspectChain(url);
  const host = new URL(url).host;
  const what = end
    ? `the certificate chain of ${host} ends at '${end.subject}', issued by '${end.issuer}' (SHA-256 ${end.sha256}), which this machine does not trust`
    : `the certificate chain of ${host} is not trusted by this machine`;
  const remedy =
    process.platform === 'win32'
      ? `import '${end?.issuer ?? 'the root certificate'}' into the machine's Trusted Root Certification Authorities store (certlm.msc), or give the site a PEM bundle: supsync sup set --site <CODE> --ca-file root.pem (Set-CMSoftwareUpdatePointComponent -CaFile)`
      : `add '${end?.issuer ?? 'the root certificate'}' to the system bundle (${readSystemBundle()?.path ?? systemBundlePaths[0]}, e.g. with update-ca-certificates) or give the site a PEM bundle: supsync sup set --site <CODE> --ca-file root.pem (Set-CMSoftwareUpdatePointComponent -CaFile)`;
  return new UpstreamError('UpstreamCertificateUntrusted', `${url}: ${what} (${code}). To trust it, ${remedy}`, {
    target: url,
    category: 'SecurityError',
    cause,
    data: { code, ...(end ? { subject: end.subject, issuer: end.issuer, sha256: end.sha256 } : {}) },
  });
}
