import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** PEM of the CA certificate: give its path to a process as NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** Key and certificate (signed by the CA) for 127.0.0.1 and localhost. */
  key: string;
  cert: string;
  remove(): void;
}

/**
 * A throwaway certificate authority and a server certificate it signed, made
 * with the machine's `openssl` (installed with Postgres on Debian). Node has
 * no API to issue X.509 certificates, and the bot's login must be https.
 * P-256 keys: generated in milliseconds, where an RSA key takes up to a
 * second on a busy machine (and this runs synchronously, for every Teams server).
 */
export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-test-ca-'));
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  try {
    openssl('req', '-x509', ...P256, '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=Airlock test CA');
    openssl('req', ...P256, '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext.cnf'));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`could not create the test CA with openssl (is it installed?): ${(err as Error).message} ${stderr}`);
  }
  return {
    caPath: at('ca.pem'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
