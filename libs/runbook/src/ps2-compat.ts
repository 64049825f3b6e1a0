/**
 * A static check for PowerShell 3.0+ constructs in scripts that must run on PowerShell 2.0
 * (rdp-licensing.md section 7). Comments are ignored, and so is the literal text of strings
 * (code inside "$(...)" is still checked). Some rules are heuristics: member enumeration cannot be
 * detected exactly, so any property read straight off a parenthesised cmdlet call is flagged.
 */
export interface Ps3Finding {
  /** 1-based line number. */
  line: number;
  construct: string;
}

interface Rule {
  construct: string;
  pattern: RegExp;
}

const RULES: Rule[] = [
  { construct: 'ConvertTo-Json / ConvertFrom-Json', pattern: /\bConvert(?:To|From)-Json\b/gi },
  { construct: '[ordered]', pattern: /\[ordered\]/gi },
  { construct: '[pscustomobject]', pattern: /\[pscustomobject\]/gi },
  { construct: 'CIM cmdlets', pattern: /\b(?:Get|New|Remove|Set|Register)-Cim\w+\b|\bInvoke-CimMethod\b/gi },
  { construct: 'Test-NetConnection', pattern: /\bTest-NetConnection\b/gi },
  { construct: 'Get-NetTCPConnection', pattern: /\bGet-NetTCPConnection\b/gi },
  { construct: 'Invoke-RestMethod / Invoke-WebRequest', pattern: /\bInvoke-(?:RestMethod|WebRequest)\b/gi },
  { construct: '$PSItem', pattern: /\$PSItem\b/gi },
  { construct: '::new()', pattern: /::new\s*\(/gi },
  { construct: '-in / -notin', pattern: /(?<![\w-])-(?:not)?in\b(?!-)/gi },
  { construct: '.Where() / .ForEach()', pattern: /\.(?:Where|ForEach)\s*\(/gi },
  {
    construct: 'simplified Where-Object syntax',
    pattern: /\bWhere-Object\s+(?!\{|-FilterScript\b|-InputObject\b)\S|\|\s*(?:where|\?)\s+(?!\{|-FilterScript\b)\S/gi,
  },
  {
    construct: 'simplified ForEach-Object syntax',
    pattern: /\bForEach-Object\s+(?!\{|-(?:Process|Begin|End|InputObject)\b)\S|\|\s*(?:foreach|%)\s+(?!\{|-(?:Process|Begin|End)\b)\S/gi,
  },
  { construct: '-ErrorAction Ignore', pattern: /-(?:ErrorAction|ea)\s*:?\s*'?Ignore\b/gi },
  { construct: '-shl / -shr', pattern: /(?<![\w-])-sh[lr]\b/gi },
  { construct: '$using:', pattern: /\$using:/gi },
  { construct: 'class / enum / using (PowerShell 5)', pattern: /^\s*(?:class|enum)\s+\w+|^\s*using\s+(?:namespace|module|assembly)\b/gim },
  { construct: 'Get-Content -Raw', pattern: /\bGet-Content\b[^\n|;]*\s-Raw\b/gi },
  { construct: '-NoNewline', pattern: /\s-NoNewline\b/gi },
  { construct: 'Get-ChildItem -File / -Directory', pattern: /\b(?:Get-ChildItem|gci|dir|ls)\b[^\n|;]*\s-(?:File|Directory)\b/gi },
  { construct: '$PSScriptRoot / $PSCommandPath in a script', pattern: /\$PS(?:ScriptRoot|CommandPath)\b/gi },
  { construct: '$PSDefaultParameterValues', pattern: /\$PSDefaultParameterValues\b/gi },
  { construct: '-PipelineVariable', pattern: /\s-PipelineVariable\b/gi },
  { construct: '.NET 4 Environment.Is64BitProcess / Is64BitOperatingSystem', pattern: /\bIs64Bit(?:Process|OperatingSystem)\b/gi },
  { construct: '.NET 4 String.IsNullOrWhiteSpace', pattern: /\bIsNullOrWhiteSpace\b/gi },
  { construct: 'PowerShell 7 operators (?? ?. && || ternary)', pattern: /\?\?|\?\.|&&|\|\|/g },
  {
    construct: 'possible member enumeration on cmdlet output',
    pattern: /\(\s*Get-[A-Za-z]+\b[^()\n]*\)\s*\.\s*[A-Za-z_]\w*(?!\s*\()/g,
  },
];

const FEATURE_CMDLETS = /\b(?:Get|Add|Remove|Install|Uninstall)-WindowsFeature\b/i;
const IMPORT_SERVER_MANAGER = /\bImport-Module\s+(?:-Name\s+)?ServerManager\b/i;
const REQUIRES_VERSION = /^\s*#requires\s+-version\s+([0-9]+)/gim;

/**
 * Returns the code with comments and literal string text replaced by spaces (line breaks and
 * offsets preserved), so that regex rules see only code.
 */
export function maskPowerShell(src: string): string {
  const out = src.split('');
  const n = src.length;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  const tokenStart = (i: number) => i === 0 || /[\s;(){}|&,=]/.test(src[i - 1]);

  function single(i: number): number {
    let j = i + 1;
    while (j < n) {
      if (src[j] === "'") {
        if (src[j + 1] === "'") {
          j += 2;
          continue;
        }
        break;
      }
      j++;
    }
    blank(i + 1, j);
    return j + 1;
  }

  function double(i: number): number {
    let j = i + 1;
    let seg = j;
    while (j < n) {
      const c = src[j];
      if (c === '`') {
        j += 2;
        continue;
      }
      if (c === '"') {
        if (src[j + 1] === '"') {
          j += 2;
          continue;
        }
        break;
      }
      if (c === '$' && src[j + 1] === '(') {
        blank(seg, j);
        j = code(j + 2, true);
        seg = j;
        continue;
      }
      j++;
    }
    blank(seg, j);
    return j + 1;
  }

  function hereString(i: number, quote: string): number {
    const bodyStart = src.indexOf('\n', i);
    const close = src.indexOf('\n' + quote + '@', bodyStart);
    const end = close < 0 ? n : close + 1;
    blank(bodyStart, end);
    return close < 0 ? n : close + 3;
  }

  function code(i: number, closeParen: boolean): number {
    let depth = 0;
    while (i < n) {
      const c = src[i];
      if (c === '<' && src[i + 1] === '#') {
        const end = src.indexOf('#>', i + 2);
        const stop = end < 0 ? n : end + 2;
        blank(i, stop);
        i = stop;
        continue;
      }
      if (c === '#' && tokenStart(i)) {
        let e = i;
        while (e < n && src[e] !== '\n') e++;
        blank(i, e);
        i = e;
        continue;
      }
      if (c === '@' && (src[i + 1] === "'" || src[i + 1] === '"') && /^[ \t]*\r?\n/.test(src.slice(i + 2, i + 40))) {
        i = hereString(i, src[i + 1]);
        continue;
      }
      if (c === "'") {
        i = single(i);
        continue;
      }
      if (c === '"') {
        i = double(i);
        continue;
      }
      if (c === '`') {
        i += 2;
        continue;
      }
      if (closeParen) {
        if (c === '(') depth++;
        else if (c === ')') {
          if (depth === 0) return i + 1;
          depth--;
        }
      }
      i++;
    }
    return i;
  }

  code(0, false);
  return out.join('');
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** PowerShell 3.0+ constructs in `source`, in order of appearance. Empty means PS 2.0-clean. */
export function findPs3Constructs(source: string): Ps3Finding[] {
  const findings: Ps3Finding[] = [];
  for (const m of source.matchAll(REQUIRES_VERSION)) {
    if (Number(m[1]) >= 3) findings.push({ line: lineAt(source, m.index ?? 0), construct: '#requires -version 3+' });
  }
  const masked = maskPowerShell(source);
  for (const rule of RULES) {
    for (const m of masked.matchAll(rule.pattern)) {
      findings.push({ line: lineAt(masked, m.index ?? 0), construct: rule.construct });
    }
  }
  const feature = FEATURE_CMDLETS.exec(masked);
  if (feature && !IMPORT_SERVER_MANAGER.test(masked)) {
    findings.push({
      line: lineAt(masked, feature.index),
      construct: 'module auto-loading (ServerManager cmdlet without Import-Module ServerManager)',
    });
  }
  return findings.sort((a, b) => a.line - b.line);
}
