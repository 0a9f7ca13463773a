/**
 * The descriptions of the settings, read where they are written: the JSDoc comment above each key of the zod
 * schema (`settings/*.ts`) and above each name of `SECRET_NAMES`. The TypeScript checker follows the inferred
 * `Settings` type back to the property each comment sits on (zod 4's inferred object types are homomorphic
 * mapped types, which keep the declaration and so its JSDoc), through nested objects, optional keys and the
 * variants of discriminated unions. Nothing is copied by hand, so a changed comment changes the reference.
 */
import * as path from "path";
import * as ts from "typescript";

/** Descriptions by key path (`prometheus.retention`, `notifications.chat.channel`) and by secret name. */
export interface SettingsDescriptions {
  readonly keys: ReadonlyMap<string, string>;
  readonly secrets: ReadonlyMap<string, string>;
}

function compilerProgram(files: readonly string[]): ts.Program {
  return ts.createProgram([...files], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    skipLibCheck: true,
    noEmit: true,
  });
}

/** One comment's text, on one line (Markdown cells cannot hold line breaks). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The object types a settings value can be: itself, or each object variant of a union; none for a leaf. */
function objectParts(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((part) => {
    if (!(part.getFlags() & ts.TypeFlags.Object) || checker.isArrayType(part) || checker.isTupleType(part))
      return false;
    if (part.getCallSignatures().length > 0) return false;
    return checker.getPropertiesOfType(part).length > 0 && !checker.getIndexInfosOfType(part).length;
  });
}

function keyDescriptions(
  checker: ts.TypeChecker,
  type: ts.Type,
  prefix: string,
  into: Map<string, string>,
  depth = 0,
): void {
  // Settings nest four levels at most; the bound stops a recursive type from looping.
  if (depth > 8) return;
  for (const part of objectParts(checker, type)) {
    for (const property of checker.getPropertiesOfType(part)) {
      const key = `${prefix}${property.name}`;
      const text = oneLine(ts.displayPartsToString(property.getDocumentationComment(checker)));
      if (text && !into.has(key)) into.set(key, text);
      keyDescriptions(
        checker,
        checker.getNonNullableType(checker.getTypeOfSymbol(property)),
        `${key}.`,
        into,
        depth + 1,
      );
    }
  }
}

/** The JSDoc above each string of the `SECRET_NAMES` array. */
function secretDescriptions(source: ts.SourceFile): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(source) === "SECRET_NAMES" && node.initializer) {
      const array = ts.isAsExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (ts.isArrayLiteralExpression(array)) {
        for (const element of array.elements) {
          if (!ts.isStringLiteral(element)) continue;
          const comments = ts.getLeadingCommentRanges(source.text, element.getFullStart()) ?? [];
          const text = comments
            .map((c) =>
              source.text
                .slice(c.pos, c.end)
                .replace(/^\/\*\*?|\*\/$/g, "")
                .replace(/^\s*\* ?/gm, ""),
            )
            .join(" ");
          found.set(element.text, oneLine(text));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Reads the descriptions from the schema's source under `projectDir`. */
export function settingsDescriptions(projectDir: string): SettingsDescriptions {
  const schemaFile = path.join(projectDir, "settings/schema.ts");
  const secretsFile = path.join(projectDir, "settings/secrets.ts");
  const program = compilerProgram([schemaFile, secretsFile]);
  const checker = program.getTypeChecker();
  const schema = program.getSourceFile(schemaFile);
  const secrets = program.getSourceFile(secretsFile);
  if (!schema || !secrets) throw new Error(`cannot read ${schemaFile} and ${secretsFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(schema);
  const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const settingsType = exports.find((s) => s.name === "Settings");
  const schemaValue = exports.find((s) => s.name === "settingsSchema");
  if (!settingsType || !schemaValue)
    throw new Error(`${schemaFile} exports no \`Settings\` type or \`settingsSchema\``);
  const keys = new Map<string, string>();
  keyDescriptions(checker, checker.getDeclaredTypeOfSymbol(settingsType), "", keys);
  // The input side too (zod's `_input`): a key a `.transform()` rebuilds has its JSDoc there only.
  const input = checker.getTypeOfSymbol(schemaValue).getProperty("_input");
  if (input) keyDescriptions(checker, checker.getTypeOfSymbol(input), "", keys);
  return { keys, secrets: secretDescriptions(secrets) };
}
