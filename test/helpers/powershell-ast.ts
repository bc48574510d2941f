/**
 * Reads PowerShell source through the real grammar (tree-sitter-powershell on web-tree-sitter):
 * syntax errors, functions with their attributes, parameters and help, command calls, variables,
 * and the values of literal expressions (strings, numbers, $true/$false/$null, @(), @{}).
 */
import path from 'node:path';
import v8 from 'node:v8';
import { Language, type Node, Parser } from 'web-tree-sitter';
import { repoRoot } from './fixtures.js';

let loaded: Promise<Parser> | undefined;

export function powershellParser(): Promise<Parser> {
  loaded ??= (async () => {
    // V8 compiles the grammar's and the runtime's WebAssembly with its baseline compiler, then
    // recompiles the hot functions with its optimizing one on background threads: ~8 CPU-s per
    // process for these two modules, which parse faster with the baseline code alone.
    v8.setFlagsFromString('--liftoff-only');
    await Parser.init();
    const language = await Language.load(path.join(repoRoot, 'node_modules', 'tree-sitter-powershell', 'tree-sitter-powershell.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loaded;
}

export function parsePowerShell(parser: Parser, text: string): Node {
  const tree = parser.parse(text.replace(/^\uFEFF/, ''));
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** ERROR and MISSING nodes, with their line and column. */
export function syntaxErrors(root: Node): string[] {
  const found: string[] = [];
  const walk = (node: Node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      found.push(`${node.isMissing ? 'missing' : 'error'} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.text.slice(0, 80)}`);
    }
    for (const child of node.children) walk(child);
  };
  walk(root);
  return found;
}

export type PsValue = string | number | boolean | null | PsValue[] | { [key: string]: PsValue };

/** A single-quoted literal's value: quotes doubled inside (also the typographic ones) stand for one. */
function unquote(text: string): string {
  return text.slice(1, -1).replace(/(['\u2018\u2019\u201A\u201B])\1/g, '$1');
}

/** The value of a literal expression; throws on anything that is not one (a script block, a double-quoted string, a call). */
export function literal(node: Node): PsValue {
  switch (node.type) {
    case 'string_literal': {
      const inner = node.namedChildren[0];
      if (!inner || inner.type !== 'verbatim_string_characters') throw new Error(`not a single-quoted string: ${node.text}`);
      return unquote(inner.text);
    }
    case 'integer_literal':
      return Number(node.text);
    case 'variable': {
      const value = ({ $true: true, $false: false, $null: null } as Record<string, boolean | null>)[node.text.toLowerCase()];
      if (value === undefined) throw new Error(`not a constant: ${node.text}`);
      return value;
    }
    case 'hash_literal_expression': {
      const result: Record<string, PsValue> = {};
      const body = node.namedChildren.find((c) => c.type === 'hash_literal_body');
      for (const entry of body?.namedChildren.filter((c) => c.type === 'hash_entry') ?? []) {
        const [keyNode, valueNode] = entry.namedChildren;
        const key = keyNode!.namedChildren[0]!;
        result[key.type === 'simple_name' ? key.text : String(literal(key))] = literal(valueNode!);
      }
      return result;
    }
    case 'array_expression': {
      const statements = node.namedChildren.find((c) => c.type === 'statement_list');
      return (statements?.namedChildren ?? []).flatMap((statement) => {
        const value = literal(statement);
        return Array.isArray(value) ? value : [value];
      });
    }
    case 'array_literal_expression':
      return node.namedChildren.length > 1 ? node.namedChildren.map(literal) : literal(node.namedChildren[0]!);
    case 'cast_expression': // [ordered]@{...}
      return literal(node.namedChildren[node.namedChildren.length - 1]!);
    default:
      if (node.namedChildren.length === 1) return literal(node.namedChildren[0]!);
      throw new Error(`not a literal: ${node.type}: ${node.text.slice(0, 60)}`);
  }
}

export interface PsAttribute {
  name: string;
  positional: PsValue[];
  /** Named arguments as written; a bare name (`Mandatory`) is true. */
  named: Record<string, PsValue>;
}

export interface PsParameter {
  name: string;
  /** The type constraint as written (`string[]`), if any. */
  type: string | undefined;
  attributes: PsAttribute[];
}

export interface PsFunction {
  name: string;
  node: Node;
  attributes: PsAttribute[];
  parameters: PsParameter[];
  /** The text of the first `<# … #>` comment in the function. */
  help: string | undefined;
  /** begin / process / end, as present. */
  blocks: string[];
}

const valueOrText = (node: Node): PsValue => {
  try {
    return literal(node);
  } catch {
    return node.text;
  }
};

function attributesOf(list: Node | undefined): { attributes: PsAttribute[]; type: string | undefined } {
  const attributes: PsAttribute[] = [];
  let type: string | undefined;
  for (const node of list?.namedChildren.filter((c) => c.type === 'attribute') ?? []) {
    const typeLiteral = node.namedChildren.find((c) => c.type === 'type_literal');
    if (typeLiteral) {
      type = typeLiteral.namedChildren.find((c) => c.type === 'type_spec')!.text;
      continue;
    }
    const attribute: PsAttribute = { name: node.namedChildren.find((c) => c.type === 'attribute_name')!.text, positional: [], named: {} };
    const args = node.namedChildren.find((c) => c.type === 'attribute_arguments');
    for (const arg of args?.namedChildren.filter((c) => c.type === 'attribute_argument') ?? []) {
      const simple = arg.namedChildren[0]!.type === 'simple_name' ? arg.namedChildren[0]! : undefined;
      if (simple) attribute.named[simple.text] = arg.namedChildren.length > 1 ? valueOrText(arg.namedChildren[arg.namedChildren.length - 1]!) : true;
      else attribute.positional.push(valueOrText(arg.namedChildren[0]!));
    }
    attributes.push(attribute);
  }
  return { attributes, type };
}

export function functionsOf(root: Node): PsFunction[] {
  return root.descendantsOfType('function_statement').map((fn) => {
    const body = fn.namedChildren.find((c) => c.type === 'script_block');
    const paramBlock = body?.namedChildren.find((c) => c.type === 'param_block');
    const parameterList = paramBlock?.namedChildren.find((c) => c.type === 'parameter_list');
    const parameters = (parameterList?.namedChildren.filter((c) => c.type === 'script_parameter') ?? []).map((p) => {
      const { attributes, type } = attributesOf(p.namedChildren.find((c) => c.type === 'attribute_list'));
      return { name: p.namedChildren.find((c) => c.type === 'variable')!.text.slice(1), type, attributes };
    });
    const help = fn.descendantsOfType('comment').find((c) => c.text.startsWith('<#'))?.text;
    const blocks = fn.descendantsOfType('block_name').filter((b) => b.parent?.parent?.parent?.parent?.id === body?.id).map((b) => b.text.toLowerCase());
    return {
      name: fn.namedChildren.find((c) => c.type === 'function_name')!.text,
      node: fn,
      attributes: attributesOf(paramBlock?.namedChildren.find((c) => c.type === 'attribute_list')).attributes,
      parameters,
      help,
      blocks,
    };
  });
}

export interface PsCall {
  name: string;
  node: Node;
  /** Parameter names as written, without the dash and a trailing colon. */
  parameters: string[];
  /** The node after each named parameter (its value), when there is one. */
  values: Map<string, Node>;
  /** Arguments that follow no parameter name. */
  positional: Node[];
}

export function callsOf(root: Node): PsCall[] {
  return root.descendantsOfType('command').flatMap((command) => {
    const nameNode = command.namedChildren.find((c) => c.type === 'command_name');
    if (!nameNode) return [];
    const elements = command.namedChildren.find((c) => c.type === 'command_elements')?.namedChildren.filter((c) => c.type !== 'command_argument_sep') ?? [];
    const call: PsCall = { name: nameNode.text, node: command, parameters: [], values: new Map(), positional: [] };
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      if (element.type === 'command_parameter') {
        const name = element.text.replace(/^-/, '').replace(/:$/, '');
        call.parameters.push(name);
        const next = elements[i + 1];
        // The next element is taken as the value (a switch followed by a positional argument would be misread; the module has none).
        if (next && next.type !== 'command_parameter') {
          call.values.set(name, next);
          i++;
        }
      } else {
        call.positional.push(element);
      }
    }
    return [call];
  });
}

/** The attribute named `name` (case-insensitive). */
export const attributeNamed = (attributes: readonly PsAttribute[], name: string) => attributes.filter((a) => a.name.toLowerCase() === name.toLowerCase());

/** Sections of comment-based help: keyword (upper-case), its argument, and its text. */
export function helpSections(help: string): { keyword: string; argument: string; text: string }[] {
  const sections: { keyword: string; argument: string; text: string }[] = [];
  for (const raw of help.replace(/^<#/, '').replace(/#>$/, '').split('\n')) {
    const line = raw.trim();
    const keyword = /^\.([A-Za-z]+)\s*(.*)$/.exec(line);
    if (keyword) sections.push({ keyword: keyword[1]!.toUpperCase(), argument: keyword[2]!.trim(), text: '' });
    else if (sections.length > 0) sections[sections.length - 1]!.text += `${line}\n`;
  }
  return sections.map((s) => ({ ...s, text: s.text.trim() }));
}
