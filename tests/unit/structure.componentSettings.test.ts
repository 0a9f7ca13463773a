/**
 * Components are typed with the part of the settings they read (`Pick<Settings, ...>`, as pulumi-awsx types its
 * Args): each `XArgs.settings` of components/ names the keys it reads, so a component's dependencies are in its
 * type and a test can build it from those keys alone. Read with the TypeScript type checker over components/: a
 * `settings` whose type has every key of `Settings` takes the whole settings, which only the listed places may.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../helpers/stacks";

/** The places that take the whole settings, and why. */
const WHOLE_SETTINGS: Readonly<Record<string, string>> = {
  "components/observabilityStack.ts ObservabilityStackArgs": "the root: it hands each part its own",
  "components/pulumiConfig.ts StackInputs": "the parsed stack file itself, what the program hands the root",
  "components/renderForHost.ts hostFilesFor": "renders every file of the stack (stack/files.ts renderAll)",
  "components/security/hostAgent.ts HostAgentArgs": "security/agents.ts agentSpec takes the whole settings",
  "components/security/hostSecurity.ts HostSecurityArgs": "its agents' (HostAgentArgs)",
  "components/furtherHost.ts FurtherHostArgs": "its host agents' (HostSecurityArgs)",
};

function componentFiles(dir = "components"): string[] {
  return fs.readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return componentFiles(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

/** Every `settings` a component takes (an Args field, or a parameter of a function), with the keys of its type. */
function settingsTaken(): { place: string; keys: string[] }[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT_DIR, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const files = componentFiles();
  const program = ts.createProgram(
    files.map((f) => path.join(PROJECT_DIR, f)),
    config.options,
  );
  const checker = program.getTypeChecker();
  const keysOf = (node: ts.Node): string[] =>
    checker
      .getPropertiesOfType(checker.getTypeAtLocation(node))
      .map((p) => p.name)
      .sort();
  const taken: { place: string; keys: string[] }[] = [];
  for (const file of files) {
    const source = program.getSourceFile(path.join(PROJECT_DIR, file))!;
    const visit = (node: ts.Node): void => {
      if (ts.isInterfaceDeclaration(node))
        for (const member of node.members)
          if (ts.isPropertySignature(member) && member.name.getText(source) === "settings")
            taken.push({ place: `${file} ${node.name.text}`, keys: keysOf(member.name) });
      if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name)
        for (const parameter of node.parameters)
          if (parameter.name.getText(source) === "settings")
            taken.push({ place: `${file} ${node.name.getText(source)}`, keys: keysOf(parameter.name) });
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return taken;
}

/** The keys of `Settings` itself, from the type the root component takes. */
function settingsKeys(taken: { place: string; keys: string[] }[]): string[] {
  return taken.find((t) => t.place === "components/observabilityStack.ts ObservabilityStackArgs")!.keys;
}

describe("the settings a component takes", () => {
  let taken: { place: string; keys: string[] }[];
  let all: string[];
  beforeAll(() => {
    taken = settingsTaken();
    all = settingsKeys(taken);
  }, 300_000);

  it("reads the components and the settings' keys", () => {
    expect(all).toEqual(expect.arrayContaining(["prometheus", "alertmanager", "docker", "namePrefix", "security"]));
    expect(all.length).toBeGreaterThan(15);
    expect(taken.map((t) => t.place)).toEqual(
      expect.arrayContaining([
        "components/prometheus.ts PrometheusArgs",
        "components/blackbox.ts BlackboxArgs",
        "components/configuredService.ts ConfiguredServiceSpec",
      ]),
    );
  });

  it("is the part it reads (`Pick<Settings, ...>`), except where listed with the reason", () => {
    const whole = taken.filter((t) => all.every((key) => t.keys.includes(key))).map((t) => t.place);
    expect(whole.sort()).toEqual(Object.keys(WHOLE_SETTINGS).sort());
  });

  it("names only keys of the settings", () => {
    for (const { place, keys } of taken)
      expect({ place, extra: keys.filter((k) => !all.includes(k)) }).toEqual({ place, extra: [] });
  });
});
