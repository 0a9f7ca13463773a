import { entries, interpolate, toIni, type IniDocument } from "../../security/ini";

const doc = (value: Parameters<typeof entries>[0], name = "Definition"): IniDocument => ({
  sections: [{ name, entries: entries(value) }],
});

describe("the INI writer", () => {
  it("writes sections, comments, numbers and booleans", () => {
    const text = toIni(
      {
        comment: ["top"],
        sections: [
          {
            name: "sshd",
            comment: ["why"],
            entries: entries({ enabled: true, maxretry: 10, filter: "sshd", skipped: undefined }),
          },
        ],
      },
      "fail2ban",
    );
    expect(text).toBe("# top\n\n# why\n[sshd]\nenabled = true\nmaxretry = 10\nfilter = sshd\n");
  });

  it("escapes % for fail2ban's interpolation and systemd's specifiers alike", () => {
    expect(toIni(doc({ datepattern: "%Y-%m-%d" }), "fail2ban")).toContain("datepattern = %%Y-%%m-%%d\n");
    expect(toIni(doc({ ExecStart: "/bin/echo 100%" }, "Service"), "systemd")).toContain("ExecStart=/bin/echo 100%%\n");
  });

  it("writes an interpolation as is", () => {
    expect(toIni(doc({ actionstart: ["a 5%", interpolate("%(known/actionstart)s")] }), "fail2ban")).toContain(
      "actionstart = a 5%%\n    %(known/actionstart)s\n",
    );
  });

  it("indents the lines of a multi-line value and writes an empty value as `key =`", () => {
    expect(toIni(doc({ failregex: ["^one <HOST>$", "^two <HOST>$"], ignoreregex: "" }), "fail2ban")).toBe(
      "[Definition]\nfailregex = ^one <HOST>$\n    ^two <HOST>$\nignoreregex =\n",
    );
  });

  it("allows repeated keys in systemd units (ExecStart= resets the list)", () => {
    const text = toIni(
      {
        sections: [
          {
            name: "Service",
            entries: [
              { key: "ExecStart", value: "" },
              { key: "ExecStart", value: "/bin/true" },
            ],
          },
        ],
      },
      "systemd",
    );
    expect(text).toBe("[Service]\nExecStart=\nExecStart=/bin/true\n");
  });

  it.each([
    [
      "a line break in a one-line value",
      doc({ failregex: "a\nb" }),
      "fail2ban",
      "[Definition] failregex: must not contain a line break",
    ],
    [
      "leading blanks the reader would strip",
      doc({ failregex: " ^x" }),
      "fail2ban",
      "[Definition] failregex: must not start or end with blanks",
    ],
    [
      "a blank followed by ';' (inline comment)",
      doc({ failregex: "^x ;y" }),
      "fail2ban",
      "fail2ban reads the rest as a comment",
    ],
    [
      "a continuation line starting with '#'",
      doc({ failregex: ["^x", "# y"] }),
      "fail2ban",
      "[Definition] failregex[1]: a continuation line must not start with '#' or ';'",
    ],
    [
      "an empty continuation line",
      doc({ failregex: ["^x", ""] }),
      "fail2ban",
      "a multi-line value must not contain an empty line",
    ],
    [
      "a duplicate key",
      {
        sections: [
          {
            name: "sshd",
            entries: [
              { key: "port", value: 22 },
              { key: "Port", value: 2222 },
            ],
          },
        ],
      },
      "fail2ban",
      "[sshd] Port: is set twice",
    ],
    [
      "a duplicate section",
      {
        sections: [
          { name: "sshd", entries: [] },
          { name: "sshd", entries: [] },
        ],
      },
      "fail2ban",
      "[sshd]: is written twice",
    ],
    ["a key with '='", doc({ "a=b": "x" }), "fail2ban", "[Definition] a=b: is not a valid key"],
    ["a section name with ']'", doc({ a: "x" }, "a]b"), "fail2ban", "[a]b]: is not a valid section name"],
    [
      "a multi-line systemd value",
      doc({ ExecStart: ["/bin/a", "/bin/b"] }, "Service"),
      "systemd",
      "[Service] ExecStart: systemd values are one line",
    ],
    [
      "an interpolation in systemd",
      doc({ ExecStart: interpolate("%(x)s") }, "Service"),
      "systemd",
      "interpolation is a fail2ban feature",
    ],
    [
      "a non-finite number",
      doc({ maxretry: Number.NaN }),
      "fail2ban",
      "[Definition] maxretry: must be a finite number",
    ],
    [
      "a line break in a comment",
      { comment: ["a\nb"], sections: [] },
      "fail2ban",
      "file comment: a comment line must not contain a line break",
    ],
  ] as const)("refuses %s", (_what, document, dialect, message) => {
    expect(() => toIni(document as IniDocument, dialect)).toThrow(message);
  });
});
