import * as fs from "fs";
import * as path from "path";
import { backArrows, checkLayers, fileCircles, importsOf, LAYERS, rankOf } from "../../scripts/layers";

const ROOT = path.resolve(__dirname, "../..");

describe("the layers of docs/developer/development.md", () => {
  const result = checkLayers(ROOT);

  it("reads the program's imports", () => {
    expect(result.imports.length).toBeGreaterThan(300);
    expect(result.imports).toContainEqual({ from: "index.ts", to: "components/index.ts" });
  });

  it("has no import running back up (npm run layers lists them)", () => {
    expect(result.arrows.map((a) => `${a.from} -> ${a.to}`)).toEqual([]);
  });

  it("has no import circle between files", () => {
    expect(result.circles).toEqual([]);
  });

  it("lists every folder once, bottom to top", () => {
    const folders = LAYERS.flatMap((l) => l.folders);
    expect(new Set(folders).size).toBe(folders.length);
    expect(rankOf("contract")).toBeLessThan(rankOf("settings"));
    expect(rankOf("settings")).toBeLessThan(rankOf("prometheus"));
    expect(rankOf("prometheus")).toBeLessThan(rankOf("components"));
    expect(rankOf("components")).toBeLessThan(rankOf("(root)"));
  });

  it("names the docs' layer order as the check's", () => {
    const docs = fs.readFileSync(path.join(ROOT, "docs/developer/development.md"), "utf8");
    for (const folder of LAYERS.flatMap((l) => l.folders).filter((f) => f !== "(root)"))
      expect(docs).toContain(`\`${folder}/\``);
  });
});

describe("the layer check itself", () => {
  it("counts an import to a folder above as one back-arrow per folder pair", () => {
    const arrows = backArrows([
      { from: "contract/a.ts", to: "settings/b.ts" },
      { from: "contract/c.ts", to: "settings/d.ts" },
      { from: "settings/b.ts", to: "contract/a.ts" },
      { from: "prometheus/x.ts", to: "prometheus/y.ts" },
    ]);
    expect(arrows.map((a) => [a.from, a.to, a.imports.length])).toEqual([["contract", "settings", 2]]);
  });

  it("finds a circle through several files and a file importing itself", () => {
    expect(
      fileCircles([
        { from: "a.ts", to: "b.ts" },
        { from: "b.ts", to: "c.ts" },
        { from: "c.ts", to: "a.ts" },
        { from: "d.ts", to: "a.ts" },
        { from: "e.ts", to: "e.ts" },
      ]),
    ).toEqual([["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
  });

  it("counts a type-only import as a back-arrow but not as a circle", () => {
    const imports = [
      { from: "contract/a.ts", to: "settings/b.ts", typeOnly: true },
      { from: "settings/b.ts", to: "contract/a.ts" },
    ];
    expect(backArrows(imports).map((a) => `${a.from} -> ${a.to}`)).toEqual(["contract -> settings"]);
    expect(fileCircles(imports)).toEqual([]);
  });

  it("reads every kind of import, type-only ones marked", () => {
    const imports = importsOf(ROOT, "settings/services.ts");
    expect(imports).toContainEqual({ from: "settings/services.ts", to: "settings/schema.ts", typeOnly: true });
    expect(imports).toContainEqual({ from: "settings/services.ts", to: "contract/services.ts" });
  });

  it("refuses a folder no layer lists", () => {
    expect(() => rankOf("feature")).toThrow("folder feature/ is in no layer: add it to LAYERS");
  });
});
