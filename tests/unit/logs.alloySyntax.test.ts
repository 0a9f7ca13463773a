import { parseAlloy, withoutComments } from "../helpers/alloyParser";
import { attr, block, comment, documented, formatValue, quote, ref, renderAlloy } from "../../logs/alloySyntax";

describe("quote", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["C:\\path", '"C:\\\\path"'],
    [String.raw`^\S+\s+(?P<level>[A-Z]+)`, String.raw`"^\\S+\\s+(?P<level>[A-Z]+)"`],
    ["line\nbreak\ttab\rcr", '"line\\nbreak\\ttab\\rcr"'],
    ["bell\u0007del\u007f", '"bell\\u0007del\\u007f"'],
    ["{{ .Value }} ${HOME} // not a comment", '"{{ .Value }} ${HOME} // not a comment"'],
    ["émoji 🚀", '"émoji 🚀"'],
  ])("writes %j as %s", (input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it("round-trips through a Go-compatible unquote (JSON's rules cover every escape it writes)", () => {
    const nasty = 'a"b\\c\n\u0001{`}' + String.raw`\d+\[`;
    expect(JSON.parse(quote(nasty))).toBe(nasty);
  });

  it("refuses lone surrogates, which Alloy cannot read", () => {
    expect(() => quote("bad\ud800")).toThrow("lone surrogate");
    expect(() => quote("\udc00")).toThrow("lone surrogate");
  });
});

describe("formatValue", () => {
  it.each([
    [null, "null"],
    [true, "true"],
    [false, "false"],
    [42, "42"],
    [0.5, "0.5"],
    [[], "[]"],
    [{}, "{}"],
    [["a", 1], '["a", 1]'],
    [{ job: "x", "app.kubernetes.io/name": "y" }, '{ job = "x", "app.kubernetes.io/name" = "y" }'],
    [{ __path__: "/var/log/auth.log" }, '{ __path__ = "/var/log/auth.log" }'],
  ])("writes %j as %s", (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });

  it("writes references bare", () => {
    expect(formatValue([ref("loki.write.default.receiver")])).toBe("[loki.write.default.receiver]");
  });

  it("breaks long arrays and objects one element a line, with trailing commas", () => {
    const long = Array.from({ length: 6 }, (_, i) => ({ __path__: `/var/log/file-${i}.log`, job: "auth" }));
    expect(formatValue(long)).toBe(
      `[\n${long.map((_, i) => `  { __path__ = "/var/log/file-${i}.log", job = "auth" },`).join("\n")}\n]`,
    );
  });

  it("refuses non-finite numbers", () => {
    expect(() => formatValue(Number.NaN)).toThrow("finite");
    expect(() => formatValue(Infinity)).toThrow("finite");
  });
});

describe("names", () => {
  it.each(["1abc", "a-b", "a b", ""])("refuses the attribute name %j", (name) => {
    expect(() => attr(name, 1)).toThrow("must be an identifier");
  });
  it.each(["loki..write", "loki.", ".x", "a-b"])("refuses the block name %j", (name) => {
    expect(() => block(name, undefined, [])).toThrow("must be dotted identifiers");
  });
  it.each(["my-label", "a.b", "", "x y"])("refuses the component label %j", (label) => {
    expect(() => block("loki.write", label, [])).toThrow("must be an identifier");
  });
  it.each(["loki", "loki.write.", "loki write"])("refuses the reference %j", (path) => {
    expect(() => ref(path)).toThrow("must be dotted identifiers");
  });
});

describe("renderAlloy", () => {
  it("writes blocks, labels, attributes, nested blocks and comments exactly", () => {
    const text = renderAlloy([
      comment("first line\nsecond line"),
      documented(
        "why this block",
        block("loki.write", "default", [
          block("endpoint", undefined, [attr("url", "http://loki:3100/loki/api/v1/push")]),
          attr("external_labels", { host: "vps" }),
          undefined,
          false,
        ]),
      ),
      block("stage.decolorize", undefined, []),
    ]);
    expect(text).toBe(
      [
        "// first line",
        "// second line",
        "",
        "// why this block",
        'loki.write "default" {',
        "  endpoint {",
        '    url = "http://loki:3100/loki/api/v1/push"',
        "  }",
        '  external_labels = { host = "vps" }',
        "}",
        "",
        "stage.decolorize { }",
        "",
      ].join("\n"),
    );
  });

  it("keeps a value that looks like syntax inside its string", () => {
    const text = renderAlloy([block("x", "y", [attr("v", '" }\nevil { a = "')])]);
    expect(text).toBe('x "y" {\n  v = "\\" }\\nevil { a = \\""\n}\n');
  });
});

describe("what the writer writes reads back the same", () => {
  it("for values that need every kind of escape", () => {
    const tree = [
      block("x", "y", [
        attr("s", 'q"b\\s\n\t\r\u0001 // {x} [y]'),
        attr("n", -1.5),
        attr("list", ["a", true, null, ref("a.b.c"), { "k.with.dots": "v", plain: 1 }]),
        block("inner", undefined, [attr("empty", {}), attr("none", [])]),
      ]),
    ];
    expect(parseAlloy(renderAlloy(tree))).toEqual(withoutComments(tree));
  });

  it("rejects broken text", () => {
    expect(() => parseAlloy('x "y" { a = "unterminated }')).toThrow("unterminated string");
    expect(() => parseAlloy('x { a = "\\q" }')).toThrow("invalid escape");
    expect(() => parseAlloy("x { a = 1 ")).toThrow("unexpected end of file");
  });
});
