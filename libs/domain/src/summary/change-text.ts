import { Lang } from './lang';

/** A recorded change as the summaries read it (the engine's RecordedChange, loosely typed). */
export interface ChangeForText {
  setting: string;
  before: unknown;
  after: unknown;
  /** false: cannot be rolled back (role removal). Absent: treated as reversible (older rows). */
  reversible?: boolean;
  /** restore-licensing: the mode shows in WMI only after a restart. */
  restartNeeded?: boolean;
}

const LICENSING_MODE: Record<number, Record<Lang, string>> = {
  1: { en: 'Remote Desktop for Administration', zh: '远程管理模式' },
  2: { en: 'Per Device', zh: '每设备' },
  4: { en: 'Per User', zh: '每用户' },
  5: { en: 'not configured', zh: '未配置' },
};

/** A value recorded by the scripts ({present, value}, a number, a list, an object) in plain words: never JSON. */
function plain(v: unknown, lang: Lang): string {
  const zh = lang === 'zh';
  if (v === null || v === undefined) return zh ? '未设置' : 'not set';
  if (Array.isArray(v)) return v.length ? v.map((x) => plain(x, lang)).join(zh ? '、' : ', ') : zh ? '无' : 'none';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('present' in o && 'value' in o) return o.present === false ? (zh ? '未设置' : 'not set') : plain(o.value, lang);
    return Object.entries(o)
      .map(([k, x]) => `${k} ${plain(x, lang)}`)
      .join(zh ? '，' : ', ');
  }
  if (typeof v === 'boolean') return zh ? (v ? '是' : '否') : v ? 'yes' : 'no';
  return String(v);
}

function valueOf(v: unknown): unknown {
  return v && typeof v === 'object' && !Array.isArray(v) && 'value' in (v as object) ? ((v as { present?: boolean; value: unknown }).present === false ? null : (v as { value: unknown }).value) : v;
}

/** Whether the change is a role removal that completes only at the next restart. */
export function roleRemovalAwaitsRestart(c: ChangeForText): boolean {
  const after = c.after as { restartNeeded?: unknown; removalPending?: unknown } | null;
  return c.setting === 'RDS-RD-Server role' && !!after && typeof after === 'object' && (after.restartNeeded === true || after.removalPending === true);
}

/** One change in plain words: what the setting is, what it was, what it is now. */
export function changeText(c: ChangeForText, lang: Lang, rebooted = false): string {
  const zh = lang === 'zh';
  switch (c.setting) {
    case 'fSingleSessionPerUser': {
      const word = (v: unknown) => {
        const x = valueOf(v);
        if (x === 1) return zh ? '是' : 'on';
        if (x === 0) return zh ? '否' : 'off';
        return plain(x, lang);
      };
      return zh
        ? `“限制每个用户只能进行一个会话”：${word(c.before)} → ${word(c.after)}（fSingleSessionPerUser ${plain(c.before, lang)} → ${plain(c.after, lang)}）`
        : `"Restrict each user to a single session": ${word(c.before)} → ${word(c.after)} (fSingleSessionPerUser ${plain(c.before, lang)} → ${plain(c.after, lang)})`;
    }
    case 'LicensingMode': {
      const mode = (v: unknown) => {
        const x = valueOf(v);
        return typeof x === 'number' && LICENSING_MODE[x] ? `${LICENSING_MODE[x][lang]} (${x})` : plain(x, lang);
      };
      const later = c.restartNeeded && !rebooted ? (zh ? '（远程桌面服务或服务器重启后生效）' : ' (takes effect when Remote Desktop Services or the server restarts)') : '';
      return zh ? `远程桌面授权模式：${mode(c.before)} → ${mode(c.after)}${later}` : `Remote Desktop licensing mode: ${mode(c.before)} → ${mode(c.after)}${later}`;
    }
    case 'SpecifiedLicenseServers':
      return zh ? `授权服务器：${plain(c.before, lang)} → ${plain(c.after, lang)}` : `license servers: ${plain(c.before, lang)} → ${plain(c.after, lang)}`;
    case 'RDS-RD-Server role': {
      // Once the server restarted, the removal it waited for is complete.
      const pending = roleRemovalAwaitsRestart(c) && !rebooted;
      return zh
        ? `远程桌面会话主机角色：已安装 → 已删除${pending ? '（重启后才会完成删除）' : ''}`
        : `Remote Desktop Session Host role: installed → removed${pending ? ' (the removal completes at the next restart)' : ''}`;
    }
    default:
      return `${c.setting}: ${plain(c.before, lang)} → ${plain(c.after, lang)}`;
  }
}

/**
 * The changes as sentences: the reversible ones with "previous values recorded for rollback", the
 * irreversible ones (role removal) saying they cannot be rolled back. Null when nothing changed.
 */
export function changesParagraph(changes: ChangeForText[] | undefined, lang: Lang, rebooted = false): string | null {
  if (!changes || changes.length === 0) return null;
  const zh = lang === 'zh';
  const reversible = changes.filter((c) => c.reversible !== false).map((c) => changeText(c, lang, rebooted));
  const permanent = changes.filter((c) => c.reversible === false).map((c) => changeText(c, lang, rebooted));
  const out: string[] = [];
  if (reversible.length) out.push(zh ? `已修改的设置（修改前的值已记录，可以回滚）：${reversible.join('；')}。` : `Settings changed (previous values recorded for rollback): ${reversible.join('; ')}.`);
  if (permanent.length) out.push(zh ? `无法回滚的修改：${permanent.join('；')}。` : `Changed for good (this cannot be rolled back): ${permanent.join('; ')}.`);
  return out.join(zh ? '' : ' ');
}

/**
 * What is still pending on the server after rdpfix stopped (cancel, failure): a role removal
 * waiting for its restart, a licensing mode waiting for a service restart. Null when nothing is.
 */
export function pendingOnServer(changes: ChangeForText[] | undefined, rebooted: boolean, lang: Lang): string | null {
  if (!changes || rebooted) return null;
  const zh = lang === 'zh';
  const out: string[] = [];
  if (changes.some(roleRemovalAwaitsRestart)) {
    out.push(
      zh
        ? '服务器上仍有待完成的操作：远程桌面会话主机角色的删除要在服务器重启后才会完成，rdpfix 没有重启服务器。重启之前授权问题依然存在；请在方便时重启服务器（或重新发起修复并允许重启）以完成删除。'
        : 'Still pending on the server: the removal of the Remote Desktop Session Host role completes only when the server restarts, and rdpfix did not restart it. Until then the licensing lockout remains; restart the server when convenient (or start the fix again with allowReboot) to complete it.',
    );
  }
  if (changes.some((c) => c.setting === 'LicensingMode' && c.restartNeeded)) {
    out.push(
      zh
        ? '服务器上仍有待生效的设置：远程桌面授权模式已写入，但要在远程桌面服务（TermService）或服务器重启后才会生效。'
        : 'Still pending on the server: the licensing mode is written but takes effect only when Remote Desktop Services (TermService) or the server restarts.',
    );
  }
  return out.length ? out.join(zh ? '' : ' ') : null;
}
