import { Json } from './stack';

/** Script name of a command the simulator received (tolerant of the record's field naming). */
export function scriptOf(c: Json): string {
  return c.scriptName ?? c.script?.name ?? c.script ?? c.name;
}

export function scriptsReceived(cmds: Json[]): string[] {
  return cmds.map(scriptOf);
}

export function countScript(cmds: Json[], name: string): number {
  return scriptsReceived(cmds).filter((n) => n === name).length;
}

/** Scripts that change a server (libs/runbook contract). */
export const CHANGING = ['set-single-session', 'configure-licensing', 'restore-licensing', 'remove-rdsh-role', 'restart-computer'];
