/** The region of a SigV4 request, from `Credential=AKID/date/<region>/ssm/aws4_request`. */
export function regionFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(header);
  return m ? m[1] : null;
}
