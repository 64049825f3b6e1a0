export type Lang = 'en' | 'zh';

/**
 * Picks the summary language from an Accept-Language header (RFC 9110 §12.5.4): ranges are
 * tried by descending q (ties keep header order), q=0 means "not acceptable"; the first range
 * whose primary subtag is zh (zh, zh-CN, zh-Hans, zh-TW, …) or en wins; `*` and anything else
 * fall back to English.
 */
export function parseLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  const ranges = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tagRaw, ...params] = part.trim().split(';');
      let q = 1;
      for (const p of params) {
        const m = /^\s*q\s*=\s*(.*?)\s*$/i.exec(p);
        // RFC qvalue syntax only; anything malformed counts as "not acceptable".
        if (m) q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1]) ? Number(m[1]) : 0;
      }
      return { tag: tagRaw.trim().toLowerCase(), q, index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) {
    const primary = r.tag.split('-')[0];
    if (primary === 'zh') return 'zh';
    if (primary === 'en' || primary === '*') return 'en';
  }
  return 'en';
}
