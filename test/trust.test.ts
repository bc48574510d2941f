/**
 * The operating system's roots a sync trusts: the bundle file on Linux, and the machine store read
 * through .NET's X509Store the way Windows does it (pwsh's .NET reads the OpenSSL store here).
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { readMachineStore, readSystemBundle } from '../src/net/trust.js';
import { requirePwsh } from './helpers/pwsh.js';

const certificatesOf = (pem: string) => [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new crypto.X509Certificate(m[0]));

describe('trust: the machine store exported through .NET X509Store', function () {
  this.timeout(120_000);
  let pwsh: string;
  before(function () {
    pwsh = requirePwsh(this, 'the machine-store export');
  });

  it('exports the roots of the machine store as PEM: every root of the system bundle among them', () => {
    const store = readMachineStore(pwsh);
    expect(store, 'the store export').to.be.a('string');
    const exported = certificatesOf(store!);
    expect(exported.length).to.be.greaterThan(10);
    const bundle = readSystemBundle();
    expect(bundle, 'this machine has a system bundle').to.not.equal(null);
    // The store is the certificate directory, the bundle a file made from it: the bundle's roots are all in the store.
    const inStore = new Set(exported.map((c) => c.fingerprint256));
    const missing = certificatesOf(bundle!.pem)
      .filter((c) => !inStore.has(c.fingerprint256))
      .map((c) => c.subject);
    expect(missing, 'bundle roots absent from the store export').to.deep.equal([]);
  });

  it('answers null when the shell cannot run', () => {
    expect(readMachineStore('/nonexistent/powershell')).to.equal(null);
  });
});
