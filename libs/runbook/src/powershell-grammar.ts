import * as fs from 'fs';
import type { Node } from 'web-tree-sitter';

/**
 * The real PowerShell grammar (tree-sitter-powershell, run by web-tree-sitter's WASM runtime),
 * loaded once per process. Used by the test gate that every script parses.
 * Both packages are devDependencies, so they are required lazily: importing @rdpfix/runbook in
 * production must not need them.
 */
export interface PowerShellSyntaxError {
  /** 1-based line and column. */
  line: number;
  column: number;
  /** The text of the ERROR node (first 80 characters), or "missing <node type>". */
  text: string;
}

export interface PowerShellParseReport {
  hasError: boolean;
  errors: PowerShellSyntaxError[];
}

export interface PowerShellParser {
  parse(source: string): PowerShellParseReport;
}

let loading: Promise<PowerShellParser> | null = null;

async function load(): Promise<PowerShellParser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Parser, Language } = require('web-tree-sitter') as typeof import('web-tree-sitter');
  await Parser.init();
  // Bytes, not a path: given a path, Language.load uses a dynamic import() that CommonJS test
  // runners (jest without --experimental-vm-modules) cannot execute.
  const wasm = fs.readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const language = await Language.load(new Uint8Array(wasm));
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source: string): PowerShellParseReport {
      const tree = parser.parse(source);
      if (!tree) throw new Error('tree-sitter returned no tree');
      try {
        const root = tree.rootNode;
        return { hasError: root.hasError, errors: collectErrors(root) };
      } finally {
        tree.delete();
      }
    },
  };
}

/** ERROR and MISSING nodes, outermost first (an ERROR node's children are not repeated). */
function collectErrors(root: Node): PowerShellSyntaxError[] {
  const errors: PowerShellSyntaxError[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.isError || node.isMissing) {
      errors.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        text: node.isMissing ? `missing ${node.type}` : node.text.slice(0, 80),
      });
      if (node.isError) continue;
    }
    if (!node.hasError && !node.isMissing) continue; // no errors below
    const children = node.children.filter((c): c is Node => c !== null);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The shared parser (loads the grammar on first use). */
export function getPowerShellParser(): Promise<PowerShellParser> {
  if (!loading) {
    loading = load().catch((e: unknown) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

/** Parses PowerShell source and reports syntax errors with their positions. */
export async function parsePowerShell(source: string): Promise<PowerShellParseReport> {
  return (await getPowerShellParser()).parse(source);
}
