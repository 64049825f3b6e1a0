import { parseLang } from './lang';

describe('parseLang', () => {
  it.each<[string | undefined, 'en' | 'zh']>([
    [undefined, 'en'],
    ['', 'en'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh', 'zh'],
    ['zh-CN', 'zh'],
    ['zh-Hans', 'zh'],
    ['zh-Hans-CN', 'zh'],
    ['zh-TW', 'zh'],
    ['zh-HK', 'zh'],
    ['ZH-cn', 'zh'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['en;q=0.5, zh;q=0.8', 'zh'], // q-values beat order
    ['zh;q=0.5, en;q=0.8', 'en'],
    ['zh;q=0, en', 'en'], // q=0 = not acceptable
    ['zh;q=0', 'en'],
    ['fr-FR, zh;q=0.5', 'zh'], // unsupported languages are skipped
    ['fr-FR, de', 'en'],
    ['*', 'en'],
    ['*;q=0.9, zh;q=0.1', 'en'],
    ['en, zh', 'en'], // equal q: header order wins
    ['zh, en', 'zh'],
    [' zh-CN ; q=0.7 , en ; q=0.6 ', 'zh'],
    ['zh;q=abc, en;q=0.5', 'en'], // a malformed q-value counts as 0
    [',,;,', 'en'],
  ])('%j → %s', (header, lang) => {
    expect(parseLang(header)).toBe(lang);
  });
});
