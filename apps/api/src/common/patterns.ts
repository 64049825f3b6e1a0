/**
 * Input formats, shared by DTOs (and tests). The instance id's general shape (AWS or JD Cloud);
 * the exact rules are those of the channel serving the request's region (channel-ids.ts).
 */
export const INSTANCE_ID_PATTERN = /^(i-[a-z0-9]{1,30}|mi-[0-9a-f]{17})$/;
/** AWS-style region names; the simulator serves any of them. */
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** Hostname/FQDN (RFC 1123 labels) or dotted IPv4. */
export const LICENSE_SERVER_PATTERN =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|(?=.{1,253}$)(?!\d+(?:\.\d+)*$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;
export const TICKET_REF_PATTERN = /^[A-Za-z0-9._:#/-]{1,128}$/;
