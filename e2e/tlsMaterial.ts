/**
 * A CA and one serving certificate for the e2e hosts, made with the real `openssl` (as an operator would, or as
 * the program's generated material is shaped): the CA that Prometheus verifies with, a certificate whose SANs are
 * every host address, and its key.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface TlsMaterial {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

export function makeTlsMaterial(dir: string, addresses: readonly string[]): TlsMaterial {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=koprogo-e2e-hosts-ca",
  );
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    file("host.key"),
    "-out",
    file("host.csr"),
    "-subj",
    "/CN=koprogo-e2e-host",
  );
  fs.writeFileSync(
    file("san.ext"),
    `subjectAltName=${addresses.map((a) => `IP:${a}`).join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file("host.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("host.crt"),
    "-days",
    "2",
    "-extfile",
    file("san.ext"),
  );
  return {
    caCert: fs.readFileSync(file("ca.crt"), "utf8"),
    cert: fs.readFileSync(file("host.crt"), "utf8"),
    key: fs.readFileSync(file("host.key"), "utf8"),
  };
}
