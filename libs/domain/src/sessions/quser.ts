/**
 * Parses the `quser` rows that diagnose reports (DiagnosisFacts.sessions: header removed,
 * whitespace collapsed). quser's header and state words are localized and a disconnected
 * session has no SESSIONNAME, so rows are read by token position and digits, never by header:
 *   USERNAME SESSIONNAME ID STATE IDLE LOGON...   (7+ tokens, active)
 *   USERNAME ID STATE IDLE LOGON...               (6+ tokens, disconnected)
 */
export type SessionState = 'active' | 'disconnected' | 'other';

export interface Session {
  username: string;
  sessionName: string | null;
  id: number;
  state: SessionState;
  /** The state word exactly as quser printed it (localized). */
  rawState: string;
}

/** Normalized (lower case, no trailing dot) localized state words. */
const ACTIVE_WORDS = new Set([
  'active', // en
  'aktiv', // de, sv, da, nb
  'actif', // fr
  'activo', // es
  'attivo', // it
  'ativo', // pt
  'actief', // nl
  'aktywny', // pl
  'активно', // ru
  '活动', // zh-CN
  '運作中', // zh-TW
  'アクティブ', // ja
]);
const DISCONNECTED_WORDS = new Set([
  'disc', // en
  'getr', // de "Getr."
  'getrennt',
  'déco', // fr
  'deco',
  'déconnecté',
  'desc', // es, pt
  'desconectado',
  'disconn',
  'disconnesso', // it
  'verbroken', // nl
  'rozłączony', // pl
  'отключено', // ru
  '断开', // zh-CN
  '中斷', // zh-TW
  '切断', // ja
]);

const INTEGER = /^\d+$/;
/** Session names that are never part of a user name (used only when a name has spaces). */
const SESSION_NAME = /^(?:console|services|[a-z0-9-]+#\d+)$/i;

function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/\.+$/, '');
}

function stateOf(rawState: string, sessionName: string | null): SessionState {
  const w = normalizeWord(rawState);
  if (ACTIVE_WORDS.has(w)) return 'active';
  if (DISCONNECTED_WORDS.has(w)) return 'disconnected';
  // An unknown word on a row without a session name: only disconnected sessions lack one.
  return sessionName === null ? 'disconnected' : 'other';
}

export function parseQuserRow(row: string): Session | null {
  const tokens = row.trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length > 0 && tokens[0] === '>') tokens.shift();
  if (tokens.length < 2) return null;
  if (/^no user exists/i.test(tokens.join(' '))) return null;
  tokens[0] = tokens[0].replace(/^>/, '');
  // The first integer after the user name is the session id; the header has none.
  let k = -1;
  for (let i = 1; i < tokens.length; i++) {
    if (INTEGER.test(tokens[i])) {
      k = i;
      break;
    }
  }
  if (k < 1) return null;
  let username: string;
  let sessionName: string | null;
  if (k === 1) {
    username = tokens[0];
    sessionName = null;
  } else if (k === 2) {
    username = tokens[0];
    sessionName = tokens[1];
  } else if (SESSION_NAME.test(tokens[k - 1])) {
    // A user name with spaces, then a session name.
    username = tokens.slice(0, k - 1).join(' ');
    sessionName = tokens[k - 1];
  } else {
    username = tokens.slice(0, k).join(' ');
    sessionName = null;
  }
  if (username === '') return null;
  const id = Number(tokens[k]);
  if (!Number.isSafeInteger(id)) return null;
  const rawState = tokens[k + 1] ?? '';
  return { username, sessionName, id, state: stateOf(rawState, sessionName), rawState };
}

/** Sessions from quser rows; header rows, "No User exists" lines and garbage are skipped. */
export function parseQuserRows(rows: readonly string[]): Session[] {
  const sessions: Session[] = [];
  for (const row of rows) {
    const s = parseQuserRow(row);
    if (s) sessions.push(s);
  }
  return sessions;
}
