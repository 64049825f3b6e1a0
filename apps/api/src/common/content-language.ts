import type { Response } from 'express';
import type { Lang } from '@rdpfix/domain';

/** Answers whose text follows Accept-Language say which language they are in, and that they vary by it. */
export function setLanguageHeaders(res: Response, lang: Lang): void {
  res.setHeader('Content-Language', lang === 'zh' ? 'zh-CN' : 'en');
  res.vary('Accept-Language');
}
