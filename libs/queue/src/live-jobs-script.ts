/**
 * Which of the given job ids are live (waiting, prioritized, delayed, active or waiting for
 * children), in ONE Redis call for a whole page: the same answer as BullMQ's getJob + getState per
 * job (a job without its hash, completed, failed or in no set at all is not live), which cost two
 * round trips per active remediation on every reconciler pass (issue 10: at 100,000 that was most
 * of Redis's work). Each list (active, wait, paused) is read once per call, not once per id.
 *
 * KEYS: completed, failed, delayed, active, wait, paused, waiting-children, prioritized
 * ARGV[1]: the queue's key prefix ("bull:<queue>:"), ARGV[2..]: job ids
 * Returns 1 (live) or 0 per id, in order.
 */
export const LIVE_JOBS_LUA = `
local rcall = redis.call
local function listSet(key)
  local s = {}
  for _, id in ipairs(rcall("LRANGE", key, 0, -1)) do s[id] = true end
  return s
end
local active, wait, paused = listSet(KEYS[4]), listSet(KEYS[5]), listSet(KEYS[6])
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local live = 0
  if rcall("EXISTS", ARGV[1] .. id) == 1
    and not rcall("ZSCORE", KEYS[1], id) and not rcall("ZSCORE", KEYS[2], id)
    and (rcall("ZSCORE", KEYS[3], id) or rcall("ZSCORE", KEYS[8], id) or active[id] or wait[id]
         or paused[id] or rcall("ZSCORE", KEYS[7], id)) then
    live = 1
  end
  out[#out + 1] = live
end
return out
`;

/** The queue key names the script reads, in its KEYS order. */
export const LIVE_JOBS_KEYS = ['completed', 'failed', 'delayed', 'active', 'wait', 'paused', 'waiting-children', 'prioritized'] as const;
