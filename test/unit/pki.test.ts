import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSignedCertificate } from '../../src/pki/certificates.js';

describe('pki', () => {
  it('signs a serving certificate with the SANs asked for, verifiable by the CA', () => {
    const ca = createCertificateAuthority('test-ca');
    const leaf = createSignedCertificate(ca, { commonName: 'webhook', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(new X509Certificate(ca.certPem).ca).toBe(true);
    expect(cert.ca).toBe(false);
  });

  it('puts organisations into a client certificate subject', () => {
    const ca = createCertificateAuthority('test-ca');
    const client = createSignedCertificate(ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
    expect(new X509Certificate(client.certPem).subject).toContain('O=system:masters');
  });
});
