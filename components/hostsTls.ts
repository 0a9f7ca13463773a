/**
 * TLS for the further hosts' node exporters, generated when the stack config sets none (nobody has to know it):
 * an ECDSA P-256 CA that Prometheus trusts (`prometheus/secrets/hosts-ca.crt`), and one serving certificate whose
 * SANs are every host address and the log gateway's (the monitoring host's private address). Behaviour relied on (@pulumi/tls 5.6): keys and certificates live in the state
 * (marked secret here); `earlyRenewalHours` makes the certificate replaced at the first `pulumi up` inside that
 * window before it expires, which rewrites the files on the hosts and restarts their exporters.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { HostSettings } from "../settings/scale";

export interface HostsTlsMaterial {
  readonly hostsTlsCaCert: pulumi.Output<string>;
  readonly hostsTlsCert: pulumi.Output<string>;
  readonly hostsTlsKey: pulumi.Output<string>;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** SANs of the serving certificate: addresses as IP SANs, names as DNS SANs (Prometheus verifies what it dials). */
export function hostSubjectAltNames(hosts: readonly Pick<HostSettings, "address">[]): {
  ipAddresses: string[];
  dnsNames: string[];
} {
  const addresses = [...new Set(hosts.map((h) => h.address))].sort();
  return { ipAddresses: addresses.filter((a) => IPV4.test(a)), dnsNames: addresses.filter((a) => !IPV4.test(a)) };
}

export function generateHostsTls(
  name: string,
  hosts: readonly Pick<HostSettings, "address">[],
  parent: pulumi.Resource,
): HostsTlsMaterial {
  const opts = { parent };
  const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const ca = new tls.SelfSignedCert(
    `${name}-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: "koprogo-observability hosts CA", organization: "KoproGo" },
      isCaCertificate: true,
      // Ten years: the CA only signs the hosts' serving certificate, which renews yearly.
      validityPeriodHours: 24 * 3650,
      earlyRenewalHours: 24 * 180,
      allowedUses: ["cert_signing", "crl_signing"],
    },
    opts,
  );
  const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const request = new tls.CertRequest(
    `${name}-request`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: "koprogo-observability node exporters" },
      ...hostSubjectAltNames(hosts),
    },
    opts,
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: 24 * 365,
      earlyRenewalHours: 24 * 30,
      allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
    },
    opts,
  );
  return {
    hostsTlsCaCert: pulumi.secret(ca.certPem),
    hostsTlsCert: pulumi.secret(cert.certPem),
    hostsTlsKey: pulumi.secret(key.privateKeyPem),
  };
}
