/**
 * Pulumi runtime mocks for resource-graph tests: records every resource by type token, answers provider calls,
 * and gives a `promiseOf(output)` to read inputs. Works without the Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { bcryptHash } from "../../e2e/logins";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Resource options, as seen by the stack transformation (`retainOnDelete`, `dependsOn`, ...). */
  readonly opts?: pulumi.CustomResourceOptions;
  /** Reference (`<urn>::<id>`) of the explicit provider the resource was declared with, if any. */
  readonly provider?: string;
}

export interface MockRecorder {
  readonly resources: RecordedResource[];
  /** Resources of one type token, e.g. `docker:index/container:Container`. */
  ofType(type: string): RecordedResource[];
  /** The one resource of that type whose logical name ends with `suffix`. */
  one(type: string, suffix: string): RecordedResource;
  reset(): void;
  /**
   * A transformation to pass in the options of the component under test: it records each child's options,
   * which the mock monitor never sees.
   */
  readonly recordOptions: pulumi.ResourceTransformation;
  /** Options recorded for a resource by type and logical name. */
  optionsOf(type: string, name: string): pulumi.CustomResourceOptions | undefined;
}

/** Values the mocks return for generated secrets, so tests can check they never leak. */
export const GENERATED_SECRET = "mock-generated-secret-value";

let hashOfGenerated: string | undefined;
/** bcrypt of `GENERATED_SECRET`, computed on first use and kept (as the provider keeps `bcryptHash` in the state). */
export function generatedSecretHash(): string {
  hashOfGenerated ??= bcryptHash(GENERATED_SECRET);
  return hashOfGenerated;
}

export function installPulumiMocks(project = "koprogo-observability", stack = "dev"): MockRecorder {
  const resources: RecordedResource[] = [];
  const options = new Map<string, pulumi.CustomResourceOptions>();
  // `setMocks` is async in its signature only: its body sets the mock monitor synchronously (runtime/mocks.js of
  // @pulumi/pulumi 3.248), so the mocks are in place when it returns, before any test module creates a resource.
  void pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          provider: args.provider,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        // A generated name (Grafana's admin login): lower-case letters and digits, as the provider makes it.
        if (args.type === "random:index/randomString:RandomString") state.result = "mockgeneratedname0";
        if (args.type === "random:index/randomPassword:RandomPassword") {
          state.result = GENERATED_SECRET;
          // As the provider does: a real bcrypt hash of the result (a web.yml with anything else is refused), made
          // once: the provider keeps it in the state, so two runs of the program see the same hash.
          state.bcryptHash = generatedSecretHash();
        }
        if (args.type === "docker:index/network:Network" && !state.name) state.name = args.name;
        // @pulumi/tls outputs, as PEM-shaped text the renderers can place in files.
        if (args.type === "tls:index/privateKey:PrivateKey")
          state.privateKeyPem = `-----BEGIN PRIVATE KEY-----\nmock-${args.name}\n-----END PRIVATE KEY-----\n`;
        if (
          args.type === "tls:index/selfSignedCert:SelfSignedCert" ||
          args.type === "tls:index/locallySignedCert:LocallySignedCert"
        )
          state.certPem = `-----BEGIN CERTIFICATE-----\nmock-${args.name}\n-----END CERTIFICATE-----\n`;
        if (args.type === "tls:index/certRequest:CertRequest")
          state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----\nmock-${args.name}\n-----END CERTIFICATE REQUEST-----\n`;
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );
  return {
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    one(type, suffix) {
      const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
      if (found.length !== 1)
        throw new Error(
          `expected one ${type} named *${suffix}, found ${found.map((r) => r.name).join(", ") || "none"}`,
        );
      return found[0];
    },
    reset: () => {
      resources.splice(0, resources.length);
      options.clear();
    },
    recordOptions: (args) => {
      options.set(`${args.type}::${args.name}`, args.opts as pulumi.CustomResourceOptions);
      return undefined;
    },
    optionsOf: (type, name) => options.get(`${type}::${name}`),
  };
}

/** Resolves an output (test only: the mocks resolve every output). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Whether an output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(output);
}

/** Lets the mock engine register every pending resource before assertions. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** How the mock monitor receives a secret input: a value wrapped with Pulumi's secret signature. */
const SECRET_SIGNATURE = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** Whether a recorded input was marked secret, and its value. */
export function secretInput(input: unknown): { secret: boolean; value: unknown } {
  if (
    input !== null &&
    typeof input === "object" &&
    (input as Record<string, unknown>)[SECRET_SIGNATURE.key] === SECRET_SIGNATURE.value
  ) {
    return { secret: true, value: (input as { value: unknown }).value };
  }
  return { secret: false, value: input };
}
