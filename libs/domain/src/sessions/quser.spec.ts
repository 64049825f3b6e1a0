import { parseQuserRow, parseQuserRows } from './quser';

describe('parseQuserRows', () => {
  it('parses an active row (7+ tokens, with a session name)', () => {
    expect(parseQuserRows(['administrator rdp-tcp#0 2 Active . 5/1/2024 8:05 AM'])).toEqual([
      { username: 'administrator', sessionName: 'rdp-tcp#0', id: 2, state: 'active', rawState: 'Active' },
    ]);
  });

  it('parses a disconnected row (6 tokens, no session name)', () => {
    expect(parseQuserRows(['bob 3 Disc 1:02 5/1/2024 8:05 AM'])).toEqual([
      { username: 'bob', sessionName: null, id: 3, state: 'disconnected', rawState: 'Disc' },
    ]);
  });

  it('handles raw quser spacing, the ">" marker and a console session', () => {
    const rows = [
      ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME',
      '>administrator         console             1  Active      none   5/1/2024 8:00 AM',
      ' svc.backup                                 12  Disc        2+03:04  4/30/2024 1:00 PM',
    ];
    expect(parseQuserRows(rows)).toEqual([
      { username: 'administrator', sessionName: 'console', id: 1, state: 'active', rawState: 'Active' },
      { username: 'svc.backup', sessionName: null, id: 12, state: 'disconnected', rawState: 'Disc' },
    ]);
  });

  it('reads two-digit ids and user names with dots and hyphens', () => {
    expect(parseQuserRows(['john.smith-adm rdp-tcp#45 27 Active 5 5/1/2024 8:05 AM'])).toEqual([
      { username: 'john.smith-adm', sessionName: 'rdp-tcp#45', id: 27, state: 'active', rawState: 'Active' },
    ]);
  });

  it('maps French rows', () => {
    expect(
      parseQuserRows([
        'UTILISATEUR SESSION ID ÉTAT TEMPS INACT TEMPS SESSION',
        'administrateur rdp-tcp#1 2 Actif . 01/05/2024 08:05',
        'paul 4 Déco 12 01/05/2024 07:00',
      ]),
    ).toEqual([
      { username: 'administrateur', sessionName: 'rdp-tcp#1', id: 2, state: 'active', rawState: 'Actif' },
      { username: 'paul', sessionName: null, id: 4, state: 'disconnected', rawState: 'Déco' },
    ]);
  });

  it('maps German rows ("Getr." with its dot)', () => {
    expect(
      parseQuserRows([
        'BENUTZERNAME SITZUNGSNAME ID STATUS LEERLAUF ANMELDEZEIT',
        'administrator rdp-tcp#3 2 Aktiv . 01.05.2024 08:05',
        'hans 5 Getr. 1:00 01.05.2024 07:00',
      ]),
    ).toEqual([
      { username: 'administrator', sessionName: 'rdp-tcp#3', id: 2, state: 'active', rawState: 'Aktiv' },
      { username: 'hans', sessionName: null, id: 5, state: 'disconnected', rawState: 'Getr.' },
    ]);
  });

  it('maps Chinese rows (simplified and traditional)', () => {
    expect(
      parseQuserRows([
        '用户名 会话名 ID 状态 空闲时间 登录时间',
        'administrator rdp-tcp#0 2 运行中 . 2024/5/1 8:05',
        '张三 3 断开 5 2024/5/1 7:00',
        'admin2 console 1 活动 无 2024/5/1 7:00',
        '李四 6 中斷 5 2024/5/1 7:00',
        'wang rdp-tcp#9 9 運作中 . 2024/5/1 7:00',
      ]),
    ).toEqual([
      // An unknown word on a row with a session name is not guessed.
      { username: 'administrator', sessionName: 'rdp-tcp#0', id: 2, state: 'other', rawState: '运行中' },
      { username: '张三', sessionName: null, id: 3, state: 'disconnected', rawState: '断开' },
      { username: 'admin2', sessionName: 'console', id: 1, state: 'active', rawState: '活动' },
      { username: '李四', sessionName: null, id: 6, state: 'disconnected', rawState: '中斷' },
      { username: 'wang', sessionName: 'rdp-tcp#9', id: 9, state: 'active', rawState: '運作中' },
    ]);
  });

  it('treats an unknown state word on a row without a session name as disconnected', () => {
    expect(parseQuserRow('ana 7 Odpojeno 3 1.5.2024 7:00')).toMatchObject({ sessionName: null, state: 'disconnected', rawState: 'Odpojeno' });
  });

  it('skips header rows, "No User exists" lines and garbage', () => {
    expect(
      parseQuserRows([
        'USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME',
        'No User exists for *',
        '',
        '   ',
        'Error 0x000006BA enumerating sessionnames',
        'x',
      ]),
    ).toEqual([]);
  });

  it('keeps user names with spaces together when the session name is recognisable', () => {
    expect(parseQuserRow('John Q Smith rdp-tcp#2 4 Active . 5/1/2024 8:05 AM')).toEqual({
      username: 'John Q Smith',
      sessionName: 'rdp-tcp#2',
      id: 4,
      state: 'active',
      rawState: 'Active',
    });
    expect(parseQuserRow('John Q Smith 5 Disc 3 5/1/2024 8:05 AM')).toMatchObject({ username: 'John Q Smith', sessionName: null, id: 5 });
  });

  it('parses the rows diagnose cut at 80 characters', () => {
    const row = 'a-very-long-user-name.with.dots rdp-tcp#123 45 Active 1+02:03 12/31/2024 11:59 PM'.slice(0, 80);
    expect(parseQuserRow(row)).toMatchObject({ username: 'a-very-long-user-name.with.dots', id: 45, state: 'active' });
  });
});
